// SPDX-License-Identifier: Apache-2.0
/*
 * test-rehab-parse.c - the two parsers of outside bytes that home
 * rehabilitation added to the server: the Range header of a video GET
 * (server/range.c) and a recording ticket (server/rehab-ticket.c).
 */
#include <errno.h>
#include <string.h>

#include "rehab-int.h"
#include "tc-test.h"

static void
test_range_forms_browsers_send(void)
{
    int64_t a = -1, b = -1;

    TC_CHECK_EQ(tc_srv__range_parse("bytes=0-", 1000, &a, &b), 0);
    TC_CHECK_EQ(a, 0);
    TC_CHECK_EQ(b, 999);
    TC_CHECK_EQ(tc_srv__range_parse("bytes=100-1099", 5000, &a, &b), 0);
    TC_CHECK_EQ(a, 100);
    TC_CHECK_EQ(b, 1099);
    TC_CHECK_EQ(tc_srv__range_parse("bytes=900-5000", 1000, &a, &b), 0);
    TC_CHECK_EQ(b, 999); /* clipped to the size */
    TC_CHECK_EQ(tc_srv__range_parse("bytes=-300", 1000, &a, &b), 0);
    TC_CHECK_EQ(a, 700);
    TC_CHECK_EQ(b, 999);
    TC_CHECK_EQ(tc_srv__range_parse("bytes=-3000", 1000, &a, &b), 0);
    TC_CHECK_EQ(a, 0);
}

static void
test_range_refusals_leave_the_outputs(void)
{
    static const char *const malformed[] = {
        "bytes=5-1",  "bytes=0-1,5-9",
        "items=0-1",  "bytes=",
        "bytes=-",    "bytes=a-b",
        "bytes=1-2x", "bytes=99999999999999999999-",
    };
    int64_t a = 42, b = 43;

    for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
        TC_CHECK_EQ(tc_srv__range_parse(malformed[i], 1000, &a, &b), -EINVAL);
    }
    TC_CHECK_EQ(tc_srv__range_parse("bytes=1000-", 1000, &a, &b), -ERANGE);
    TC_CHECK_EQ(tc_srv__range_parse("bytes=-0", 1000, &a, &b), -ERANGE);
    TC_CHECK_EQ(tc_srv__range_parse("bytes=0-", 0, &a, &b), -ERANGE);
    TC_CHECK_EQ(a, 42);
    TC_CHECK_EQ(b, 43);
}

static void
test_ticket_text(void)
{
    char good[200] = "12.7.1795000000.";
    struct tc_srv__rehab_ticket t = {0};

    for (int i = 0; i < 32; i++) {
        strcat(good, "a5");
    }
    TC_CHECK_EQ(tc_srv__rehab_ticket_parse(good, &t), 0);
    TC_CHECK_EQ(t.session_id, 12);
    TC_CHECK_EQ(t.user_id, 7);
    TC_CHECK_EQ(t.expires_s, 1795000000);
    TC_CHECK_EQ(t.mac[0], 0xa5);
    TC_CHECK_EQ(t.mac[31], 0xa5);
    good[strlen(good) - 1] = 'A'; /* upper case is not ours */
    TC_CHECK_EQ(tc_srv__rehab_ticket_parse(good, &t), -EINVAL);
    good[strlen(good) - 1] = '5';
    good[strlen(good) - 2] = '\0'; /* a byte short */
    TC_CHECK_EQ(tc_srv__rehab_ticket_parse(good, &t), -EINVAL);
    TC_CHECK_EQ(tc_srv__rehab_ticket_parse("0.7.1.00", &t), -EINVAL);
    TC_CHECK_EQ(tc_srv__rehab_ticket_parse("", &t), -EINVAL);
    TC_CHECK_EQ(t.session_id, 12); /* untouched by refusals */
}

int
main(void)
{
    TC_RUN(test_range_forms_browsers_send);
    TC_RUN(test_range_refusals_leave_the_outputs);
    TC_RUN(test_ticket_text);
    return tc_done();
}
