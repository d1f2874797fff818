// SPDX-License-Identifier: Apache-2.0
// multipart.js - split a multipart/related body (RFC 2046, as WADO-RS
// answers it) into its parts' bodies. No dependencies, so node tests and
// the fuzz replay (tests/interop/web-multipart.mjs) import it directly.
//
// Bytes from the network: the boundary comes from the Content-Type (an
// answer without one is an Error); parts are subarrays of the body (no
// copy), a part without its header end or closing delimiter ends the list.
// Linear in the body's size per part searched.

function indexOf(hay, needle, from) {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

// The parts of a multipart/related body, as Uint8Arrays.
export function multipartParts(contentType, body) {
  const m = /boundary="?([^";]+)"?/i.exec(contentType || '');
  if (!m) throw new Error('multipart answer without a boundary');
  const enc = new TextEncoder();
  const delim = enc.encode(`--${m[1]}`);
  const parts = [];
  let pos = indexOf(body, delim, 0);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (body[start] === 45 && body[start + 1] === 45) break; // "--": the end
    const headEnd = indexOf(body, enc.encode('\r\n\r\n'), start);
    if (headEnd < 0) break;
    const next = indexOf(body, delim, headEnd + 4);
    if (next < 0) break;
    let end = next;
    if (body[end - 2] === 13 && body[end - 1] === 10) end -= 2;
    parts.push(body.subarray(headEnd + 4, end));
    pos = next;
  }
  return parts;
}
