#!/usr/bin/env bash
# The integration tests run the real ovsdb-server, ovn-nbctl, ovn-northd and the OVS Python IDL from Debian's
# packages; the end-to-end tests run Debian's Chromium (never a downloaded browser).
# Installs them when missing (needs root or sudo); does nothing when they are already there.
set -euo pipefail
need=()
command -v ovsdb-server >/dev/null 2>&1 || [ -x /usr/sbin/ovsdb-server ] || need+=(openvswitch-common openvswitch-switch)
command -v ovn-nbctl >/dev/null 2>&1 || need+=(ovn-central)
[ -f /usr/share/ovn/ovn-nb.ovsschema ] || need+=(ovn-central)
/usr/bin/python3 -c 'import ovs.db.idl' >/dev/null 2>&1 || need+=(python3-openvswitch)
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${need[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends openvswitch-common openvswitch-switch ovn-central python3-openvswitch chromium fonts-dejavu-core >/dev/null
