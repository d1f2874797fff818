// SPDX-License-Identifier: Apache-2.0
/*
 * fuzz-config.c - the server's INI configuration parser on arbitrary
 * bytes: it must accept or refuse with a message, never crash, and leave
 * the configuration valid either way.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tc-server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tc_srv_config *cfg = tc_srv_config_new();
    char *err = NULL;
    int rc = tc_srv_config_load_data(cfg, (const char *)data, size, &err);

    /* A refusal always says why; a success never leaves a message. */
    if ((rc < 0) != (err != NULL) || cfg->listen_port < 0 ||
        cfg->listen_port > 65535 || !cfg->data_dir[0]) {
        abort();
    }
    free(err);
    tc_srv_config_free(cfg);
    return 0;
}
