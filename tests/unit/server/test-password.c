// SPDX-License-Identifier: Apache-2.0
/*
 * test-password.c - password hashes: Argon2id strings at the interactive
 * limits, a salt per hash, verification of the right password only, the
 * unknown-user path (NULL hash) failing, and generated passwords.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "server-int.h"
#include "tc-test.h"

static void
test_hash_is_argon2id_and_verifies_only_its_password(void)
{
    char *a = NULL, *b = NULL;
    int64_t t0, t1;

    TC_REQUIRE(tc_srv__password_hash("correct horse", &a) == 0);
    TC_CHECK(g_str_has_prefix(a, "$argon2id$v=19$m=65536,t=2,p=1$"));
    TC_REQUIRE(tc_srv__password_hash("correct horse", &b) == 0);
    TC_CHECK(strcmp(a, b) != 0); /* salted */
    t0 = g_get_monotonic_time();
    TC_CHECK_EQ(tc_srv__password_verify(a, "correct horse"), 0);
    t1 = g_get_monotonic_time();
    printf("# one verification took %.3f s\n", (double)(t1 - t0) / 1e6);
    TC_CHECK_EQ(tc_srv__password_verify(a, "correct horsE"), -EACCES);
    TC_CHECK_EQ(tc_srv__password_verify(a, ""), -EACCES);
    g_free(a);
    g_free(b);
}

static void
test_unknown_user_and_bad_input_fail(void)
{
    g_autofree char *big = g_malloc0(TC_SRV__PASSWORD_MAX + 2);
    char *out = NULL;

    memset(big, 'x', TC_SRV__PASSWORD_MAX + 1);
    TC_CHECK_EQ(tc_srv__password_verify(NULL, "anything"), -EACCES);
    TC_CHECK_EQ(tc_srv__password_verify("not a hash", "anything"), -EACCES);
    TC_CHECK_EQ(tc_srv__password_hash("", &out), -EINVAL);
    TC_CHECK_EQ(tc_srv__password_hash(big, &out), -EINVAL);
    TC_CHECK(out == NULL);
}

static void
test_generated_passwords_are_long_and_differ(void)
{
    char *a = tc_srv__password_generate();
    char *b = tc_srv__password_generate();

    TC_CHECK_EQ(strlen(a), TC_SRV__PASSWORD_GENERATED);
    TC_CHECK(strcmp(a, b) != 0);
    TC_CHECK(strpbrk(a, "0O1lI") == NULL);
    tc_srv__password_wipe(a);
    tc_srv__password_wipe(b);
}

int
main(void)
{
    char *err = NULL;

    if (tc_srv__crypto_init(&err) < 0) {
        printf("# %s\n", err);
        return 1;
    }
    TC_RUN(test_hash_is_argon2id_and_verifies_only_its_password);
    TC_RUN(test_unknown_user_and_bad_input_fail);
    TC_RUN(test_generated_passwords_are_long_and_differ);
    return tc_done();
}
