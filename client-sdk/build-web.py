#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""build-web.py - assemble the web app's root in the build directory.

    build-web.py SRC_WEB SRC_JS NODE_MODULES OUT STAMP

OUT gets a copy of SRC_WEB (the app: HTML, CSS, its ES modules), SRC_JS as
OUT/js (the browser SDK) and the few npm files the app loads as
OUT/vendor/<package>/ (the versions pinned by package-lock.json, installed
by scripts/install-deps; never committed). Files that are no longer in a
source are removed from OUT, and a file is copied only when its content
changed, so its mtime (the server's ETag) changes only then. index.html
gets a modulepreload link per module in place of its marker. Runs on every
build (it is cheap); writes STAMP last.
"""
import filecmp
import os
import shutil
import sys

# package -> (file in the package, name served); its licence travels with it
# (as .txt: the server sends only files whose type it knows)
VENDOR = {
    'dicom-parser': [('dist/dicomParser.min.js', 'dicomParser.min.js'), ('LICENSE', 'LICENSE.txt')],
}


def want_tree(src, prefix, want):
    for root, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if not d.startswith('.')]
        for name in files:
            if name.startswith('.') or name == 'meson.build':
                continue
            path = os.path.join(root, name)
            want[os.path.join(prefix, os.path.relpath(path, src))] = path


PRELOAD_MARK = '<!-- modulepreload -->'


def with_preloads(src, want):
    """index.html with the marker replaced by a modulepreload link for every
    ES module of the app and the SDK: the browser then fetches (or, warm,
    revalidates) them all at once instead of one import level after another
    (docs/performance.md, web app)."""
    with open(src, encoding='utf-8') as f:
        html = f.read()
    modules = sorted(rel for rel in want
                     if rel.endswith('.js') and not rel.startswith('vendor/'))
    links = '\n'.join(f'<link rel="modulepreload" href="/{rel}">'
                      for rel in modules)
    return html.replace(PRELOAD_MARK, links)


def write_if_changed(dst, text):
    data = text.encode('utf-8')
    if os.path.isfile(dst):
        with open(dst, 'rb') as f:
            if f.read() == data:
                return
    with open(dst + '.tmp', 'wb') as f:
        f.write(data)
    os.replace(dst + '.tmp', dst)


def main(argv):
    if len(argv) != 6:
        sys.exit('usage: build-web.py SRC_WEB SRC_JS NODE_MODULES OUT STAMP')
    src_web, src_js, node_modules, out, stamp = argv[1:]
    want = {}
    want_tree(src_web, '', want)
    if os.path.isdir(src_js):
        want_tree(src_js, 'js', want)
    for package, files in VENDOR.items():
        for f, served in files:
            path = os.path.join(node_modules, package, f)
            if not os.path.isfile(path):
                sys.exit(f'build-web: {path} is missing: run scripts/install-deps '
                         '(npm ci installs the pinned package.json)')
            want[os.path.join('vendor', package, served)] = path
    os.makedirs(out, exist_ok=True)
    for rel, src in want.items():
        dst = os.path.join(out, rel)
        if rel == 'index.html':
            write_if_changed(dst, with_preloads(src, want))
            continue
        if os.path.isfile(dst) and filecmp.cmp(src, dst, shallow=False):
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src, dst + '.tmp')
        os.replace(dst + '.tmp', dst)
    for root, dirs, files in os.walk(out, topdown=False):
        for name in files:
            path = os.path.join(root, name)
            if os.path.relpath(path, out) not in want:
                os.remove(path)
        if root != out and not os.listdir(root):
            os.rmdir(root)
    with open(stamp, 'w') as f:
        f.write(f'{len(want)} files\n')


if __name__ == '__main__':
    main(sys.argv)
