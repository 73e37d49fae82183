#!/usr/bin/python3
"""An independent walk of a mounted tree with Python's os module, printed as an
ovlspec.observation/1 JSON document (no candidates, no source). Used by the kernel tests to
check the C++ prober: python3 walk.py MOUNTPOINT"""
import errno
import hashlib
import json
import os
import stat
import sys

TYPES = {stat.S_IFDIR: "dir", stat.S_IFREG: "reg", stat.S_IFLNK: "lnk", stat.S_IFCHR: "chr",
         stat.S_IFBLK: "blk", stat.S_IFIFO: "fifo", stat.S_IFSOCK: "sock"}


def name(e):
    return errno.errorcode.get(e.errno, "E%d" % e.errno)


def walk(root, path, out):
    real = root + ("" if path == "/" else path)
    entry = {"path": path}
    out.append(entry)
    try:
        st = os.lstat(real)
    except OSError as e:
        entry["errno"] = name(e)
        return
    kind = TYPES[stat.S_IFMT(st.st_mode)]
    entry["type"] = kind
    entry["mode"] = "%04o" % stat.S_IMODE(st.st_mode)
    try:
        xs = sorted(x for x in os.listxattr(real, follow_symlinks=False) if ".overlay." in x)
        if xs:
            entry["xattrs"] = xs
    except OSError:
        pass
    if kind == "reg":
        entry["size"] = st.st_size
        try:
            fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            h = hashlib.sha256()
            try:
                while True:
                    b = os.read(fd, 65536)
                    if not b:
                        break
                    h.update(b)
                entry["content"] = h.hexdigest()
            finally:
                os.close(fd)
        except OSError as e:
            entry["open_errno"] = name(e)
            entry.pop("content", None)
    elif kind == "lnk":
        entry["target"] = os.readlink(real)
    elif kind == "dir":
        try:
            names = sorted(os.listdir(real))
        except OSError as e:
            entry["readdir_errno"] = name(e)
            return
        entry["children"] = names
        for n in names:
            walk(root, (path if path != "/" else "") + "/" + n, out)


def main():
    entries = []
    walk(sys.argv[1], "/", entries)
    entries.sort(key=lambda e: e["path"].encode())
    print(json.dumps({"schema": "ovlspec.observation/1", "mount": {"status": "ok"}, "entries": entries}))


if __name__ == "__main__":
    main()
