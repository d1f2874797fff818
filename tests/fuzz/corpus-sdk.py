#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write the seed corpora of fuzz-sdk-proto and fuzz-sdk-ecg-rx.

    tests/fuzz/corpus-sdk.py tests/fuzz/corpus

Each seed is a list of records (op byte, two-byte big-endian length, bytes),
the input format in the header comment of each target. The server messages
are those of docs/protocol.md and docs/ecg-rtp.md, valid and with members
missing or of the wrong type. The SRTP packets are made inside
fuzz-sdk-ecg-rx by media/ecg-srtp.c with the subscriptions' known keys
(op 1), so they stay valid whatever the key derivation; raw reads (op 0)
carry wrong SSRCs, short and odd-sized GRO segments and truncations.
Crashers the fuzzer finds are added by hand next to these (crash-*).
"""
import json
import os
import struct
import sys


def rec(op, data):
    if isinstance(data, str):
        data = data.encode()
    return bytes([op]) + struct.pack(">H", len(data)) + data


def msg(obj):
    return rec(0, json.dumps(obj, ensure_ascii=False, separators=(",", ":")))


WELCOME = {"type": "welcome", "id": "hello", "peer": "p9f2c1",
           "resume_token": "r1", "heartbeat_s": 20, "resume_grace_s": 30,
           "user": {"id": 6, "username": "zhou", "roles": ["clinician"]}}
PEERS = [{"peer": "p1", "user": 6, "name": "Dr Zhou", "role": "host",
          "state": "joined"}, {"peer": "p2"}]


def proto_seeds():
    w = msg(WELCOME)
    join = rec(1, b"\x00consultation:12")
    s = {
        "welcome": w,
        "welcome-no-peer": msg({"type": "welcome", "user": {"roles": [1, "x"]}}),
        "welcome-roles-many": msg(dict(WELCOME, user={"roles": ["r"] * 70})),
        "resumed": w + msg({"type": "resumed", "id": "hello", "peer": "p1",
                            "resume_token": "r2", "rooms": ["consultation:12"],
                            "missed": 1, "dropped": 0}),
        "resumed-no-peer": msg({"type": "resumed", "rooms": "x"}),
        "join-ok": w + join + msg({"type": "ok", "id": "c1",
                                   "room": "consultation:12", "role": "host",
                                   "state": "joined", "peers": PEERS}),
        "join-waiting-admitted": w + join + msg(
            {"type": "ok", "id": "c1", "role": "patient", "state": "waiting",
             "peers": []}) + msg({"type": "admitted", "room": "consultation:12",
                                  "peers": PEERS}),
        "ok-no-id": msg({"type": "ok"}),
        "ok-hb": msg({"type": "ok", "id": "hb"}),
        "ok-peers-bad": w + msg({"type": "ok", "id": "x",
                                 "peers": [1, None, {"peer": 2}, "p3"] * 20}),
        "error-hello-bad-state": msg({"type": "error", "id": "hello",
                                      "code": "bad-state",
                                      "message": "no such session"}),
        "error-no-code": w + rec(1, b"\x01r9") + msg({"type": "error",
                                                      "id": "l1"}),
        "error-code-newline": msg({"type": "error", "code": "bad\nfield",
                                   "room": "é" * 200}),
        "removed": w + join + msg({"type": "removed", "room": "consultation:12",
                                   "reason": "host"}),
        "peer-events": w + b"".join(msg(m) for m in [
            {"type": "peer-joined", "room": "r", "peer": PEERS[0]},
            {"type": "peer-left", "room": "r", "peer": "p2", "reason": "left"},
            {"type": "peer-reconnecting", "room": "r", "peer": "p2"},
            {"type": "peer-resumed", "room": "r", "peer": "p2"},
            {"type": "waiting", "room": "r", "peer": {"peer": "p7",
                                                    "role": "patient"}},
            {"type": "peer-joined", "room": "r"},
            {"type": "peer-resumed", "room": "r", "peer": "p2",
             "reason": "x"}]),
        "relay": w + b"".join(msg(m) for m in [
            {"type": "offer", "room": "r", "from": "media", "feed": "p7",
             "sdp": "v=0\r\n"},
            {"type": "answer", "room": "r", "from": "p2", "sdp": "v=0\r\n"},
            {"type": "candidate", "room": "r", "from": "media",
             "candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host",
             "sdpMid": "0", "sdpMLineIndex": 0},
            {"type": "candidate", "room": "r", "from": "p2", "candidate": ""},
            {"type": "offer", "room": "r", "from": "p2"},
            {"type": "candidate", "room": "r", "from": "p2", "sdp": "v=0"}]),
        "chat": w + b"".join(msg(m) for m in [
            {"type": "chat", "room": "r", "from": "p9f2c1", "user": 6,
             "text": "请看一下这份心电图", "at": "2026-11-29T09:30:00.123Z",
             "seq": 41},
            {"type": "chat", "room": "r", "text": "no from"},
            {"type": "chat", "room": "r", "from": "p1", "text": "no at"}]),
        "pong": w + rec(1, b"\x05p1") + msg({"type": "pong", "id": "p1"})
        + msg({"type": "pong", "id": "hb"}),
        "unknown-type": msg({"type": "newer-thing", "x": [1, 2]}),
        "not-object": rec(0, "[1,2,3]") + rec(0, "\"welcome\"")
        + rec(0, "{\"type\":5}") + rec(0, "{\"type\":\"ok\""),
        "nul-and-bad-utf8": rec(0, b"{\"type\":\"chat\",\"room\":\"r\\u0000\"}")
        + rec(0, b"{\"type\":\"chat\",\"text\":\"\xff\xfe\"}") + rec(0, b""),
        "frame-taken": rec(3, b"{") + msg({"type": "chat", "room": "r",
                                            "from": "p", "text": "t",
                                            "at": "x"}),
        "login-ok": rec(2, b"\x00\xc8" + b"{\"token\":\"tok\",\"expires_in\":3600}"),
        "login-401": rec(2, b"\x01\x91{\"error\":{\"code\":\"unauthorized\","
                         b"\"message\":\"wrong credentials\"}}"),
        "login-429-garbage": rec(2, b"\x01\xad<html>") + rec(2, b"\x00\xc8")
        + rec(2, b"\x00\xc8{\"token\":\"\"}") + rec(2, b"\x00\xc8{\"token\":7}"),
        "ecg-answers": w + rec(1, b"\x07") + rec(1, b"\x08") + rec(1, b"\x09")
        + msg({"type": "ok", "id": "ecg-1", "stream": "ecg:1", "ssrc": 1,
               "profile": "AEAD_AES_128_GCM",
               "key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==",
               "first_seq": 1, "first_timestamp": 0, "payload_type": 96,
               "subscription": 1,
               "description": {"leads": ["I"], "frames_per_packet": 10}})
        + msg({"type": "error", "id": "ecg-2", "code": "not-found"})
        + msg({"type": "ok", "id": "ecg-3", "stream": "ecg:77", "port": 9,
               "ssrc": 5, "profile": "AES_CM_128_HMAC_SHA1_80",
               "key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd",
               "first_seq": 1, "first_timestamp": 0, "payload_type": 96})
        + msg({"type": "ecg-ended", "stream": "ecg:1"}),
        "ecg-answers-bad": w + rec(1, b"\x07") + rec(1, b"\x09")
        + msg({"type": "ok", "id": "ecg-1", "key": "%%%", "profile": "x",
               "description": {"leads": [], "frames_per_packet": -1}})
        + msg({"type": "ok", "id": "ecg-2", "stream": "not-ecg-é" * 9,
               "port": 70000, "ssrc": 5, "profile": "AEAD_AES_128_GCM",
               "key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw=="}),
    }
    return s


def rtp(seq, ts, ssrc, payload, pt=96, marker=False, cc=0, ext=None,
        pad=0):
    b0 = 0x80 | cc | (0x10 if ext is not None else 0) | (0x20 if pad else 0)
    h = struct.pack(">BBHII", b0, pt | (0x80 if marker else 0), seq, ts, ssrc)
    h += b"\0\0\0\0" * cc
    if ext is not None:
        h += struct.pack(">HH", 0xbede, len(ext) // 4) + ext
    return h + payload + (bytes(pad - 1) + bytes([pad]) if pad else b"")


def frames(n_leads, n, start=0):
    return b"".join(struct.pack(">h", (start + i) % 2000 - 1000)
                    for i in range(n_leads * n))


def ans(i, variant=0, leads=2, fpp=10, pt=96):
    return rec(2, bytes([i, variant, leads - 1, fpp, pt]))


def srtp_run(sub, pkts, flip=0):
    size = len(pkts[0])
    return rec(1, bytes([sub]) + struct.pack(">H", size) + bytes([flip])
               + b"".join(pkts))


def raw(own, seg, data):
    return rec(0, bytes([1 if own else 0]) + struct.pack(">H", seg) + data)


S1, S2 = 0x11111111, 0x22222222


def ecg_seeds():
    p0 = [rtp(7 + k, 1000 + 10 * k, S1, frames(2, 10, k)) for k in range(4)]
    p1 = [rtp(7 + k, 1000 + 10 * k, S2, frames(2, 10, k)) for k in range(3)]
    short = rtp(11, 1040, S1, frames(2, 4), marker=True)
    ws_hdr = struct.pack(">BBHIQI", 1, 1, 2, 3, 0, 5)
    s = {
        "answer-then-gro": ans(0) + srtp_run(0, p0),
        "gro-short-last": ans(0) + srtp_run(0, p0 + [short]),
        "early-then-answer": srtp_run(0, p0) + srtp_run(1, p1) + ans(1)
        + ans(0),
        "early-answer-error": srtp_run(0, p0) + ans(0, 1) + ans(1, 1),
        "early-answer-bad-key": srtp_run(0, p0) + ans(1, 1) + ans(0, 2),
        "early-answer-bad-profile": srtp_run(1, p1) + ans(0, 3) + ans(1, 3),
        "own-socket": ans(2) + srtp_run(2, p0) + srtp_run(2, p0),
        "cm-profile": ans(1, leads=1, fpp=20)
        + srtp_run(1, [rtp(1, 0, S2, frames(1, 20))]),
        "wrong-key-flip": ans(0) + ans(1) + srtp_run(0, p0, flip=5)
        + srtp_run(1, p1, flip=200),
        # 6 frames + the GCM tag = 10 frames: only authentication refuses
        "flip-whole-frames": ans(0) + srtp_run(
            0, [rtp(30 + k, 0, S1, frames(2, 6)) for k in range(3)], flip=40),
        "truncated": ans(0) + srtp_run(0, p0, flip=0x80 + 3)
        + srtp_run(0, p0, flip=0xff),
        "wrong-ssrc-raw": ans(0) + ans(1) + raw(False, 0, rtp(1, 0, 0x99, frames(2, 10)))
        + raw(False, 50, rtp(1, 0, S1, frames(2, 10)) * 3)
        + raw(False, 1, b"\x80" * 40) + raw(False, 11, bytes(100))
        + raw(True, 0, rtp(1, 0, S1, frames(2, 10))),
        "rtp-shapes": ans(0, leads=2, fpp=10) + srtp_run(0, [
            rtp(20, 0, S1, frames(2, 10), cc=2)]) + srtp_run(0, [
                rtp(21, 0, S1, frames(2, 3), ext=b"\x10\x00\x00\x00")])
        + srtp_run(0, [rtp(22, 0, S1, frames(2, 5), pad=4)])
        + srtp_run(0, [rtp(23, 0, S1, frames(2, 5), pad=200)])
        + srtp_run(0, [rtp(24, 0, S1, frames(2, 11))])
        + srtp_run(0, [rtp(25, 0, S1, frames(2, 5) + b"\x01")])
        + srtp_run(0, [rtp(26, 0, S1, frames(2, 5), pt=97)]),
        "replay": ans(0) + srtp_run(0, p0[:1]) + srtp_run(0, p0[:1]),
        "free-and-held": srtp_run(0, p0) + rec(5, b"\x00") + ans(1)
        + rec(5, b"\x05") + srtp_run(1, p1) + rec(6, b"\x01"),
        "free-in-callback": ans(0) + ans(1) + rec(5, b"\x04") + srtp_run(
            0, p0) + srtp_run(0, p0[:1]),
        "json-answer": rec(3, json.dumps(
            {"type": "ok", "id": "ecg-1", "ssrc": S1, "subscription": 1,
             "first_seq": 7, "first_timestamp": 1000, "payload_type": 96,
             "profile": "AEAD_AES_128_GCM",
             "key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==",
             "description": {"leads": ["I", "II"], "frames_per_packet": 10}}))
        + srtp_run(0, p0),
        "json-answer-bad": rec(3, "{\"type\":\"ok\",\"id\":\"ecg-2\","
                               "\"description\":{\"leads\":\"x\"}}")
        + rec(3, "{\"type\":\"ok\",\"id\":\"ecg-3\",\"ssrc\":-1,"
              "\"profile\":\"AEAD_AES_128_GCM\",\"key\":7,"
              "\"description\":{\"leads\":[1,2,3],\"frames_per_packet\":1e9}}"),
        "ws-frames": ans(3) + rec(4, b"\x01\x00" + ws_hdr + frames(2, 5))
        + rec(4, b"\x00\x00" + ws_hdr[:7]) + rec(4, b"\x01\x00" + ws_hdr[7:]
                                                + frames(2, 5))
        + rec(4, b"\x01\x00" + ws_hdr + frames(2, 4))
        + rec(4, b"\x01\x00" + b"\x01\x01\x00\x00" + bytes(16)),
        "ws-oversize": ans(3) + rec(4, b"\x00\xff" + bytes(1100))
        + rec(4, b"\x01\x00" + ws_hdr + frames(2, 5)),
        "ended": ans(0) + rec(6, b"\x00") + rec(6, b"\x03"),
    }
    return s


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus"
    for name, seeds in (("sdk-proto", proto_seeds()),
                        ("sdk-ecg-rx", ecg_seeds())):
        d = os.path.join(root, name)
        os.makedirs(d, exist_ok=True)
        for k, v in seeds.items():
            with open(os.path.join(d, k), "wb") as f:
                f.write(v)


if __name__ == "__main__":
    main()
