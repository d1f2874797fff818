// SPDX-License-Identifier: Apache-2.0
/*
 * tls.c - the listener's certificate: the configured one, or a
 * self-signed one made at first start in <data_dir>/tls/.
 *
 * The self-signed certificate is an ECDSA P-256 key with a certificate
 * valid for ten years, for "localhost", 127.0.0.1, ::1 and the configured
 * listen address; the key file is mode 0600. It exists so that a fresh
 * install is encrypted from the first minute; a county replaces it with
 * one from its own CA ([tls] cert_file, key_file). Both files are written
 * to temporary names and renamed, so a crash never leaves half a key.
 *
 * OpenSSL is used directly because libwebsockets (Debian's) is built on
 * it: no second TLS library in the process.
 *
 * Thread: main, at start-up.
 */
#define G_LOG_DOMAIN "tls"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "server-int.h"

#define VALID_DAYS (10 * 365)

static int
add_ext(X509 *cert, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext) {
        return -1;
    }
    ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

static X509 *
make_cert(EVP_PKEY *key, const char *listen_host)
{
    X509 *cert = X509_new();
    X509_NAME *name;
    g_autofree char *san = NULL;
    unsigned char serial[16];
    bool extra;
    BIGNUM *bn;

    if (!cert) {
        return NULL;
    }
    /* A random positive serial number. */
    if (RAND_bytes(serial, sizeof(serial)) != 1) {
        X509_free(cert);
        return NULL;
    }
    serial[0] &= 0x7f;
    bn = BN_bin2bn(serial, sizeof(serial), NULL);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
    X509_set_version(cert, 2);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 60L * 60 * 24 * VALID_DAYS);
    X509_set_pubkey(cert, key);
    name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               (const unsigned char *)"telecare", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(cert, name);
    extra = g_hostname_is_ip_address(listen_host) &&
            strcmp(listen_host, "127.0.0.1") != 0 &&
            strcmp(listen_host, "::1") != 0;
    san = g_strdup_printf("DNS:localhost,IP:127.0.0.1,IP:::1%s%s",
                          extra ? ",IP:" : "", extra ? listen_host : "");
    if (add_ext(cert, NID_subject_alt_name, san) < 0 ||
        add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
        add_ext(cert, NID_ext_key_usage, "serverAuth") < 0 ||
        X509_sign(cert, key, EVP_sha256()) == 0) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

/* Write with fn to path.tmp (mode), then rename to path. */
static int
write_pem(const char *path, mode_t mode, int (*fn)(FILE *f, void *obj),
          void *obj, char **errmsg)
{
    g_autofree char *tmp = g_strconcat(path, ".tmp", NULL);
    FILE *f;
    int fd, ok;

    fd = g_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0 || !(f = fdopen(fd, "w"))) {
        *errmsg = g_strdup_printf("tls: %s: %s", tmp, g_strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -EIO;
    }
    ok = fn(f, obj);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        ok = 0;
    }
    fclose(f);
    if (!ok || g_rename(tmp, path) < 0) {
        g_unlink(tmp);
        *errmsg = g_strdup_printf("tls: cannot write %s", path);
        return -EIO;
    }
    return 0;
}

static int
pem_key(FILE *f, void *obj)
{
    return PEM_write_PrivateKey(f, obj, NULL, NULL, 0, NULL, NULL);
}

static int
pem_cert(FILE *f, void *obj)
{
    return PEM_write_X509(f, obj);
}

int
tc_srv__tls_self_signed(const char *dir, const char *listen_host,
                        GPtrArray *created, char **cert_path, char **key_path,
                        char **errmsg)
{
    g_autofree char *cert_file = g_build_filename(dir, "cert.pem", NULL);
    g_autofree char *key_file = g_build_filename(dir, "key.pem", NULL);
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    int rc = -EIO;

    if (g_file_test(cert_file, G_FILE_TEST_EXISTS) &&
        g_file_test(key_file, G_FILE_TEST_EXISTS)) {
        *cert_path = g_steal_pointer(&cert_file);
        *key_path = g_steal_pointer(&key_file);
        return 0;
    }
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        if (g_mkdir(dir, 0700) < 0) {
            rc = -errno;
            *errmsg = g_strdup_printf("tls: %s: %s", dir, g_strerror(errno));
            return rc;
        }
        g_ptr_array_add(created, g_strdup(dir));
    }
    key = EVP_EC_gen("P-256");
    cert = key ? make_cert(key, listen_host) : NULL;
    if (!cert) {
        *errmsg = g_strdup("tls: cannot generate a self-signed certificate");
        goto out;
    }
    rc = write_pem(key_file, 0600, pem_key, key, errmsg);
    if (rc == 0) {
        g_ptr_array_add(created, g_strdup(key_file));
        rc = write_pem(cert_file, 0644, pem_cert, cert, errmsg);
    }
    if (rc == 0) {
        g_ptr_array_add(created, g_strdup(cert_file));
    }
    if (rc == 0) {
        g_message("made a self-signed certificate in %s", dir);
        *cert_path = g_steal_pointer(&cert_file);
        *key_path = g_steal_pointer(&key_file);
    }
out:
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}
