#!/usr/bin/env bash
# Prepares this host for the container runtime tests (podman, and docker through Podman's Docker-compatible
# socket). Nothing can be pulled in CI, so the test images are built locally from busybox-static.
#   scripts/setup-containers.sh            install podman, runc, busybox-static (apt, only when missing), write
#                                          the env file, build the test images
#   scripts/setup-containers.sh --service  also start `podman system service` on a socket for the docker CLI
#                                          (its pid goes to .build-containers/service.pid; stop it with
#                                          scripts/setup-containers.sh --stop-service)
#   scripts/setup-containers.sh --stop-service   stop that service (by its pid) and exit
# Writes .build-containers/env (source it): CONTAINERS_CONF when this host needs the workaround below, and
# DOCKER_HOST when the service runs. On a host where `podman run` works as is, no workaround is written.
#
# The workaround (Debian 12 in a Firecracker VM): crun fails ("cgroups in hybrid mode not supported") and
# podman's default rlimits exceed the sandbox's hard limits, so runc is used with lower ulimits.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want_service=0
for arg in "$@"; do
    case "$arg" in
        --service) want_service=1 ;;
        --stop-service)
            pid_file=.build-containers/service.pid
            if [ -f "$pid_file" ]; then
                pid=$(cat "$pid_file")
                if kill "$pid" 2>/dev/null; then echo "setup-containers: stopped podman system service ($pid)"; fi
                rm -f "$pid_file"
            fi
            exit 0
            ;;
        *) echo "setup-containers.sh: unknown option '$arg'" >&2; exit 2 ;;
    esac
done

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in podman runc busybox-static; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup-containers: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

state=$PWD/.build-containers
mkdir -p "$state"
env_file=$state/env
: > "$env_file"

busybox=/bin/busybox
[ -x "$busybox" ] || busybox=$(command -v busybox)

# The test images: one busybox root file system under several names.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
tar -C "$root" -cf "$work/rootfs.tar" .

# Does podman work as installed? If not, use the workaround configuration.
podman import -q "$work/rootfs.tar" localhost/sluice-test-probe:latest >/dev/null
# (without a CONTAINERS_CONF sourced from an earlier env file, which would hide the need to write it again)
if ! env -u CONTAINERS_CONF podman run --rm --network none localhost/sluice-test-probe:latest true >/dev/null 2>&1; then
    cat > "$state/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]
[engine]
runtime = "runc"
EOF
    export CONTAINERS_CONF=$state/containers.conf
    echo "export CONTAINERS_CONF=$CONTAINERS_CONF" >> "$env_file"
    if ! podman run --rm --network none localhost/sluice-test-probe:latest true; then
        echo "setup-containers: podman cannot run a container on this host, even with $CONTAINERS_CONF" >&2
        exit 1
    fi
    echo "setup-containers: using $CONTAINERS_CONF (runc, lower ulimits)"
fi

podman rmi -f localhost/sluice-test-probe:latest >/dev/null
# localhost/sluice-test-base: busybox, no entrypoint, CMD sh.
podman import -q --change 'CMD ["sh"]' "$work/rootfs.tar" localhost/sluice-test-base:latest >/dev/null
for ref in docker.io/library/busybox:latest docker.io/library/alpine:latest; do
    podman tag localhost/sluice-test-base:latest "$ref"
done
# localhost/sluice-test-entrypoint: ENTRYPOINT echo entry, CMD default-cmd (Kubernetes command/args rules).
podman import -q --change 'ENTRYPOINT ["/bin/echo", "entry"]' --change 'CMD ["default-cmd"]' \
    "$work/rootfs.tar" localhost/sluice-test-entrypoint:latest >/dev/null
# localhost/sluice-test-nonroot: USER 65534 (runAsNonRoot passes without runAsUser).
podman import -q --change 'USER 65534' --change 'CMD ["sh"]' "$work/rootfs.tar" \
    localhost/sluice-test-nonroot:latest >/dev/null
# Kubernetes simulation (sluice kube simulate) of examples/: python:3.11-slim is the busybox image plus the host's
# Debian python3 (its binary, libraries and standard library; no pip, no site-packages), alpine:3.20 the base image.
podman tag localhost/sluice-test-base:latest docker.io/library/alpine:3.20
if [ -x /usr/bin/python3 ] && [ -d "/usr/lib/python3.$(/usr/bin/python3 -c 'import sys; print(sys.version_info[1])')" ]; then
    py_lib=/usr/lib/python3.$(/usr/bin/python3 -c 'import sys; print(sys.version_info[1])')
    py_root=$work/python-root
    cp -a "$root" "$py_root"
    mkdir -p "$py_root/usr/bin" "$py_root/usr/lib" "$py_root/lib64" "$py_root/lib/x86_64-linux-gnu"
    cp -L /usr/bin/python3 "$py_root/usr/bin/python3"
    ldd /usr/bin/python3 | awk '/=> \//{print $3} /^\t\/lib64/{print $1}' | while read -r lib; do
        cp -L "$lib" "$py_root$lib"
    done
    tar -C / --exclude='*/test' --exclude='*/tests' --exclude='__pycache__' --exclude='*-packages' \
        -cf - "${py_lib#/}" | tar -C "$py_root" -xf -
    tar -C "$py_root" -cf "$work/python.tar" .
    podman import -q --change 'CMD ["python3"]' --change 'ENV PATH=/usr/bin:/bin' "$work/python.tar" \
        localhost/sluice-test-python:latest >/dev/null
    podman tag localhost/sluice-test-python:latest docker.io/library/python:3.11-slim
fi
echo "setup-containers: images $(podman images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')"

if [ "$want_service" -eq 1 ]; then
    socket=$state/podman.sock
    pid_file=$state/service.pid
    if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
        echo "setup-containers: podman system service already running ($(cat "$pid_file"))"
    else
        rm -f "$socket"
        podman system service --time=0 "unix://$socket" >"$state/service.log" 2>&1 &
        echo $! > "$pid_file"
        for _ in $(seq 1 100); do
            [ -S "$socket" ] && break
            sleep 0.1
        done
        [ -S "$socket" ] || { echo "setup-containers: podman system service did not open $socket" >&2; exit 1; }
        echo "setup-containers: podman system service on unix://$socket (pid $(cat "$pid_file"))"
    fi
    echo "export DOCKER_HOST=unix://$socket" >> "$env_file"
    if ! DOCKER_HOST="unix://$socket" docker version --format '{{.Server.Version}}' >/dev/null; then
        echo "setup-containers: the docker CLI cannot reach unix://$socket" >&2
        exit 1
    fi
fi
echo "setup-containers: wrote $env_file"
