// SPDX-License-Identifier: Apache-2.0
/*
 * main.c - placeholder, replaced below.
 */
int
main(void)
{
    return 0;
}
