// SPDX-License-Identifier: Apache-2.0
/*
 * ecg-tx.c - the ECG relay's send batch: protected packets queue here
 * and leave together in one sendmmsg, with UDP GSO where it applies.
 *
 * A packet is queued in place (tc_media__ecg_tx_next gives the buffer,
 * the relay copies and protects into it, tc_media__ecg_tx_commit adds
 * it with its destination and the stats of its stream). At a flush the
 * batch becomes messages:
 *
 *   - GSO on: packets to one destination, in queue order, of one length
 *     (the last of a run may be shorter), at most TC_MEDIA__ECG_TX_GSO_MAX
 *     of them and TC_MEDIA__ECG_TX_GSO_BYTES bytes, become one message:
 *     an iovec per packet and a UDP_SEGMENT cmsg with the length. The
 *     kernel builds one skb and route for them and cuts it into the same
 *     datagrams a plain send would have made (on loopback at the
 *     receiving socket, on a NIC in the driver or the card).
 *   - otherwise one message per packet, as a plain sendmmsg.
 *
 * A run ends at the first packet to its destination that does not fit
 * (longer, or over the limits), so each destination gets its packets in
 * queue order; packets to different destinations may swap.
 *
 * Counts stay per packet: a message that went out adds each of its
 * packets to its stream's `sent`, one that failed to `send_failed` (a
 * GSO send fails or succeeds whole). When the kernel refuses GSO
 * (EIO: no checksum offload on the route, IPsec; EINVAL: SO_NO_CHECK,
 * a kernel without UDP_SEGMENT in sendmsg; EMSGSIZE: a packet over the
 * route's MTU, which a plain send fragments), the rest of the batch goes
 * again as plain datagrams, and if no GSO send ever went through GSO is
 * turned off (logged once).
 *
 * Nothing here allocates: the batch is the caller's storage.
 * Thread: the relay's.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>

#include "media-int.h"

#ifndef SOL_UDP
#define SOL_UDP IPPROTO_UDP
#endif

void
tc_media__ecg_tx_init(struct tc_media__ecg_tx *tx, int fd)
{
    int size = 0;
    socklen_t len = sizeof(size);

    memset(tx, 0, sizeof(*tx));
    tx->fd = fd;
    /* a kernel that knows UDP_SEGMENT answers; before 4.18: ENOPROTOOPT */
    tx->gso_possible = getsockopt(fd, SOL_UDP, UDP_SEGMENT, &size, &len) == 0;
    tx->gso = tx->gso_possible;
}

int
tc_media__ecg_tx_set_gso(struct tc_media__ecg_tx *tx, bool on)
{
    if (on && !tx->gso_possible) {
        tx->gso = false;
        return -EOPNOTSUPP;
    }
    tx->gso = on;
    return 0;
}

/* 64 bits that equal for equal destinations (and rarely otherwise). */
static uint64_t
dest_key(const struct sockaddr_storage *a)
{
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)a;
        return (uint64_t)in->sin_addr.s_addr << 16 | in->sin_port;
    }
    if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
        uint64_t h = 14695981039346656037ull; /* FNV-1a */
        for (size_t i = 0; i < 16; i++) {
            h = (h ^ in6->sin6_addr.s6_addr[i]) * 1099511628211ull;
        }
        return h ^ in6->sin6_port ^ (uint64_t)in6->sin6_scope_id << 32;
    }
    return a->ss_family;
}

void
tc_media__ecg_tx_dest_init(struct tc_media__ecg_dest *d, const void *addr,
                           size_t addr_len)
{
    memset(&d->addr, 0, sizeof(d->addr));
    memcpy(&d->addr, addr, addr_len);
    d->addr_len = (socklen_t)addr_len;
    d->key = dest_key(&d->addr);
}

static bool
dest_same(const struct tc_media__ecg_dest *a,
          const struct tc_media__ecg_dest *b)
{
    if (a == b) {
        return true;
    }
    if (a->key != b->key || a->addr_len != b->addr_len ||
        a->addr.ss_family != b->addr.ss_family) {
        return false;
    }
    if (a->addr.ss_family == AF_INET) { /* the key is the address */
        return true;
    }
    if (a->addr.ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)&a->addr;
        const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&b->addr;
        return x->sin6_port == y->sin6_port &&
               x->sin6_scope_id == y->sin6_scope_id &&
               memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
    }
    return memcmp(&a->addr, &b->addr, a->addr_len) == 0;
}

uint8_t *
tc_media__ecg_tx_next(struct tc_media__ecg_tx *tx)
{
    if (tx->n == TC_MEDIA__ECG_TX_BATCH) {
        tc_media__ecg_tx_flush(tx);
    }
    return tx->buf[tx->n];
}

void
tc_media__ecg_tx_commit(struct tc_media__ecg_tx *tx, size_t len,
                        const struct tc_media__ecg_dest *dest,
                        struct tc_media_ecg_stream_stats *st)
{
    unsigned i = tx->n++;

    tx->len[i] = (uint16_t)len;
    tx->dest[i] = dest;
    tx->st[i] = st;
}

/* The packets of queue positions order[from...] as messages from msgs[m]
 * on: runs to one destination when `gso`, else one each. The number of
 * messages. */
static unsigned
group(struct tc_media__ecg_tx *tx, unsigned from, unsigned m, bool gso)
{
    bool taken[TC_MEDIA__ECG_TX_BATCH] = {false};
    unsigned o = from, first_m = m;

    /* the packets before `from` went out (or failed): not again */
    for (unsigned k = 0; k < from; k++) {
        taken[tx->order[k]] = true;
    }
    /* the order is rebuilt from the queue: on a retry the rest of the
     * order holds the same packets, so the queue order is the rule */
    for (unsigned i = 0; i < tx->n; i++) {
        unsigned first = o, seg = tx->len[i], bytes = seg;

        if (taken[i]) {
            continue;
        }
        taken[i] = true;
        tx->order[o++] = (uint8_t)i;
        for (unsigned j = i + 1; gso && j < tx->n; j++) {
            if (o - first == TC_MEDIA__ECG_TX_GSO_MAX) {
                break;
            }
            if (taken[j] || !dest_same(tx->dest[i], tx->dest[j])) {
                continue;
            }
            if (tx->len[j] > seg ||
                bytes + tx->len[j] > TC_MEDIA__ECG_TX_GSO_BYTES) {
                break; /* it starts the destination's next run */
            }
            taken[j] = true;
            tx->order[o++] = (uint8_t)j;
            bytes += tx->len[j];
            if (tx->len[j] < seg) {
                break; /* a shorter one ends a run */
            }
        }
        tx->msg_first[m] = (uint8_t)first;
        tx->msg_n[m] = (uint8_t)(o - first);
        m++;
    }
    for (unsigned k = first_m; k < m; k++) {
        struct msghdr *h = &tx->msgs[k].msg_hdr;
        unsigned f = tx->msg_first[k], n = tx->msg_n[k];
        const struct tc_media__ecg_dest *d = tx->dest[tx->order[f]];

        for (unsigned t = f; t < f + n; t++) {
            tx->iov[t].iov_base = tx->buf[tx->order[t]];
            tx->iov[t].iov_len = tx->len[tx->order[t]];
        }
        *h = (struct msghdr){
            .msg_name = (void *)&d->addr,
            .msg_namelen = d->addr_len,
            .msg_iov = &tx->iov[f],
            .msg_iovlen = n,
        };
        if (n > 1) {
            struct cmsghdr *c;
            uint16_t size = tx->len[tx->order[f]];
            h->msg_control = tx->ctl[k].buf;
            h->msg_controllen = sizeof(tx->ctl[k].buf);
            c = CMSG_FIRSTHDR(h);
            c->cmsg_level = SOL_UDP;
            c->cmsg_type = UDP_SEGMENT;
            c->cmsg_len = CMSG_LEN(sizeof(size));
            memcpy(CMSG_DATA(c), &size, sizeof(size));
        }
    }
    return m;
}

/* Message k went out (ok) or failed: each of its packets counts. */
static void
count(struct tc_media__ecg_tx *tx, unsigned k, bool ok)
{
    unsigned f = tx->msg_first[k], n = tx->msg_n[k];

    for (unsigned t = f; t < f + n; t++) {
        if (ok) {
            tx->st[tx->order[t]]->sent++;
        } else {
            tx->st[tx->order[t]]->send_failed++;
        }
    }
    if (ok) {
        tx->stats.datagrams += n;
        if (n > 1) {
            tx->stats.gso_sends++;
            tx->stats.gso_segments += n;
            tx->gso_worked = true;
        }
    }
}

/* The kernel refused message k's GSO: the rest of the batch one by one
 * from k on; GSO off when it never worked. The messages now. */
static unsigned
gso_refused(struct tc_media__ecg_tx *tx, unsigned k, int err)
{
    tx->stats.gso_refused++;
    if (!tx->gso_worked && tx->gso) {
        GST_WARNING("ECG relay: the kernel refused UDP GSO (%s); sending "
                    "datagrams one by one from now on",
                    g_strerror(err));
        tx->gso = false;
    }
    return group(tx, tx->msg_first[k], k, false);
}

void
tc_media__ecg_tx_flush(struct tc_media__ecg_tx *tx)
{
    unsigned m, done = 0;

    if (tx->n == 0) {
        return;
    }
    m = group(tx, 0, 0, tx->gso);
    while (done < m) {
        int n = sendmmsg(tx->fd, tx->msgs + done, m - done, MSG_DONTWAIT);
        int err = errno;

        tx->stats.send_calls++;
        if (n < 0 && err == EINTR) {
            continue;
        }
        if (n < 0 && tx->msg_n[done] > 1 &&
            (err == EIO || err == EINVAL || err == EMSGSIZE)) {
            m = gso_refused(tx, done, err);
            continue;
        }
        if (n <= 0) {
            /* this one failed (buffer full, unreachable): skip it */
            count(tx, done, false);
            done++;
            continue;
        }
        for (unsigned k = done; k < done + (unsigned)n; k++) {
            count(tx, k, true);
        }
        done += (unsigned)n;
    }
    tx->n = 0;
}
