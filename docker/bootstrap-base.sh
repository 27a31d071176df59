#!/bin/sh
# Makes the offline base image's root file system, a tarball for `docker import`, without any
# registry: Debian (minbase + python3, gcc, libc headers, make; iptables and iproute2 for the
# client redirection) from this machine's apt sources.
# Usage: docker/bootstrap-base.sh OUTPUT.tar   (as root, or where mmdebstrap can unshare)
set -eu
output=${1:?usage: $0 OUTPUT.tar}
suite=${SUITE:-bookworm}
sources=/etc/apt/sources.list.d/debian.sources
[ -e "$sources" ] || sources=/etc/apt/sources.list
# documentation and translations are dropped: the image only compiles and runs programs
exec mmdebstrap --variant=minbase --include=python3,gcc,libc6-dev,make,iptables,iproute2 \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    "$suite" "$output" "$sources"
