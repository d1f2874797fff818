// SPDX-License-Identifier: Apache-2.0
/*
 * calendar.c - arithmetic on "YYYY-MM-DD" dates for contract periods and
 * follow-up schedules.
 *
 * Dates are proleptic Gregorian, converted to and from a day count since
 * 1970-01-01 (Howard Hinnant's days_from_civil algorithm). Inputs must be
 * valid dates (tc_rec__date_valid); outputs are always 10 characters and a
 * terminator. No clock is read here: callers pass "today" in.
 *
 * Thread: any (pure functions).
 */
#include <stdlib.h>

#include "records-int.h"

#define US_PER_DAY INT64_C(86400000000)

static int
days_in_month(int64_t y, int m)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : mdays[m - 1];
}

static void
put_digits(char *out, int64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

static void
format_ymd(int64_t y, int m, int d, char *out)
{
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[10] = '\0';
}

int64_t
tc_rec__date_days(const char *date)
{
    int64_t y = atoi(date);
    int m = atoi(date + 5), d = atoi(date + 8);
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
tc_rec__date_from_days(int64_t days, char *out)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);

    format_ymd(yoe + era * 400 + (m <= 2), m, d, out);
}

void
tc_rec__date_add_days(const char *date, int64_t days, char *out)
{
    tc_rec__date_from_days(tc_rec__date_days(date) + days, out);
}

void
tc_rec__date_add_months(const char *date, int months, char *out)
{
    int64_t total = (int64_t)atoi(date) * 12 + atoi(date + 5) - 1 + months;
    int64_t y = total / 12;
    int m = (int)(total % 12) + 1;
    int d = atoi(date + 8);

    if (d > days_in_month(y, m)) {
        d = days_in_month(y, m);
    }
    format_ymd(y, m, d, out);
}

void
tc_rec__date_of_us(int64_t at_us, char *out)
{
    int64_t days = at_us / US_PER_DAY;

    if (at_us % US_PER_DAY < 0) {
        days--;
    }
    tc_rec__date_from_days(days, out);
}
