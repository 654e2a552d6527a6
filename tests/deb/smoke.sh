#!/bin/sh
# tests/deb/smoke.sh DEB: as root on a Debian 12 machine (CI), installs the
# package with apt-get, creates a node from the installed files as the
# mentord user, starts it, asks it for its status, stops it and purges the
# package.  Prints "ok - ..." per step; exits 1 at the first failure.
set -u
deb=$1
fail() { echo "not ok - $*"; apt-get purge -y -q mentord >/dev/null 2>&1; exit 1; }
ok() { echo "ok - $*"; }

apt-get install -y -q "$deb" >/tmp/mentord-deb-install.log 2>&1 ||
    fail "apt-get install $deb"
ok "apt-get install ./mentord_*.deb"
getent passwd mentord >/dev/null || fail "the mentord user exists"
ok "the package created the mentord system user"
[ "$(stat -c '%a %U' /var/lib/mentord)" = "700 mentord" ] ||
    fail "/var/lib/mentord is 0700 and owned by mentord"
ok "/var/lib/mentord is 0700, owned by mentord"
[ -f /lib/systemd/system/mentord.service ] || fail "the unit is installed"
ok "the systemd unit is installed"
d=/var/lib/mentord
runuser -u mentord -- /usr/bin/mentord init -d "$d" --name "CI school" \
    --role school --listen tcp://127.0.0.1:0 >/dev/null 2>&1 ||
    runuser -u mentord -- /usr/bin/mentord init -d "$d" --name "CI school" \
    --role school >/dev/null || fail "mentord init as mentord"
ok "mentord init as the mentord user"
runuser -u mentord -- /usr/bin/mentord -d "$d" 2>/tmp/mentord-deb.log &
pid=$!
i=0
until runuser -u mentord -- /usr/bin/mentorctl -d "$d" status >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 100 ] && { kill $pid; fail "the installed node answers"; }
	sleep 0.1
done
ok "the installed mentord answers the installed mentorctl"
runuser -u mentord -- /usr/bin/mentorctl -d "$d" status | grep -q '^health: *ok' ||
    { kill $pid; fail "status reports health ok"; }
ok "status reports health ok (it found the installed reference data)"
kill $pid; wait $pid
apt-get purge -y -q mentord >/dev/null 2>&1 || fail "apt-get purge mentord"
ok "apt-get purge mentord"
rm -rf "$d"
