#!/usr/bin/env bash
# make install into a DESTDIR: the file list, the systemd unit (verified
# and scored by systemd-analyze), sysusers.d and tmpfiles.d entries, and
# the bash and zsh completions, loaded and completing against a node
# started from the installed files.
. "$(dirname "$0")/lib.sh"

R=$T/root
P=/usr/local
make -C "$ROOT" --no-print-directory -s install DESTDIR="$R" >"$T/install.log" 2>&1
check_eq "make install DESTDIR succeeds" 0 "$?"
expected="bin/mentorctl
bin/mentord
lib/systemd/system/mentord.service
lib/sysusers.d/mentord.conf
lib/tmpfiles.d/mentord.conf
share/bash-completion/completions/mentorctl
share/man/man1/mentorctl.1
share/man/man5/mentord-formats.5
share/man/man8/mentord.8
share/mentord/data/clusters.tsv
share/mentord/web/index.html
share/zsh/site-functions/_mentorctl"
check_eq "the installed files are binaries, man pages, data, web pages, unit, sysusers, tmpfiles, completions" \
    "$expected" "$(cd "$R$P" && { find . -type f | sed 's|^\./||' |
    grep -v '^share/mentord/\(data\|web\)/'; ls share/mentord/data/clusters.tsv \
    share/mentord/web/index.html; } | LC_ALL=C sort)"
check_eq "the web pages are installed as in the source tree" \
    "$(cd "$ROOT/web" && find . -type f | LC_ALL=C sort)" \
    "$(cd "$R$P/share/mentord/web" && find . -type f | LC_ALL=C sort)"
check_match "the unit runs the installed daemon" "^ExecStart=$P/bin/mentord " \
    "$(grep ^ExecStart "$R$P/lib/systemd/system/mentord.service")"

if command -v systemd-analyze >/dev/null; then
	# verify wants the binary and the Documentation= man pages to exist.
	sed "s|^ExecStart=$P/bin/|ExecStart=$R$P/bin/|" \
	    "$R$P/lib/systemd/system/mentord.service" >"$T/mentord.service"
	check "systemd-analyze verify accepts the unit" env \
	    MANPATH="$R$P/share/man" systemd-analyze verify "$T/mentord.service"
	score=$(systemd-analyze security --offline=true "$T/mentord.service" \
	    2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	check "systemd-analyze security scores it 2.0 or better (got $score)" \
	    awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }'
else
	ok "systemd-analyze verify # SKIP no systemd-analyze"
fi
if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$T/sys/etc"
	check "systemd-sysusers creates the mentord user from the entry" \
	    systemd-sysusers --root="$T/sys" "$R$P/lib/sysusers.d/mentord.conf"
	check_match "  ...a system user with no login shell" \
	    '^mentord:x:[0-9]+:[0-9]+:mentord node:/var/lib/mentord:/usr/sbin/nologin$' \
	    "$(grep ^mentord: "$T/sys/etc/passwd")"
	check "systemd-tmpfiles creates the state directory from the entry" \
	    systemd-tmpfiles --root="$T/sys" --create \
	    "$R$P/lib/tmpfiles.d/mentord.conf"
	check_eq "  ...mode 0700, owned by mentord" "700 $(sed -n \
	    's/^mentord:x:\([0-9]*\):.*/\1/p' "$T/sys/etc/passwd")" \
	    "$(stat -c '%a %u' "$T/sys/var/lib/mentord")"
fi

# A node from the installed files, with a listing and a student.
export PATH="$R$P/bin:$PATH"
MENTORD=$R$P/bin/mentord
MENTORCTL=$R$P/bin/mentorctl
sch=$(node_new school1 school)
node_start "$sch"
check "the installed mentord serves the installed mentorctl" ctl "$sch" status
cat >"$T/l.json" <<'J'
{"ref":"weld","kind":"job_shadow","title":"Welding shop job shadow",
 "organization":"Acme","capacity":2,"modality":"virtual"}
J
lid=$(ctl "$sch" --json listing post "$T/l.json" | json 'd["ids"][0]')
echo '[{"id":"QX7","name":"Zelphine Quorra","birth_date":"2009-01-15"}]' \
    >"$T/s.json"
ctl "$sch" student import "$T/s.json" >/dev/null
fid=$(ctl "$sch" --json framework import "$ROOT/tests/data/case/opensalt-test-Ordering.json" |
    json 'd["id"]')

(
	. "$R$P/share/bash-completion/completions/mentorctl" 2>"$T/bash.err"
	check_eq "the bash completion loads without errors" "" "$(cat "$T/bash.err")"
	comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mentorctl
		printf '%s\n' "${COMPREPLY[@]}"; }
	check_eq "bash completes a command" "student" "$(comp mentorctl stu)"
	check_eq "bash completes a subcommand" "withdraw" \
	    "$(comp mentorctl listing w)"
	check_eq "bash completes a command's option" "--top" \
	    "$(comp mentorctl match --t)"
	check_eq "bash completes a listing id from the node" "$lid" \
	    "$(comp mentorctl -d "$sch" listing show "")"
	check_eq "bash completes a student id from the node" "QX7" \
	    "$(comp mentorctl -d "$sch" match Q)"
	check_eq "bash completes a three-word command" "revoke" \
	    "$(comp mentorctl web token r)"
	check_eq "bash completes an option's values" "coordinator employer admin metrics" \
	    "$(comp mentorctl web token add x --role "" | tr '\n' ' ' | sed 's/ $//')"
	check_eq "bash completes a framework id from the node" "$fid" \
	    "$(comp mentorctl -d "$sch" framework show "")"
	check_eq "bash completes O*NET-SOC codes from the node" "51-4121.00 51-4122.00" \
	    "$(comp mentorctl -d "$sch" occupation show 51-412 | tr '\n' ' ' | sed 's/ $//')"
	# Every command of mentorctl --help is reached word by word.
	missing=""
	while read -r cmdline; do
		set -- $cmdline; typed=(mentorctl)
		for word; do
			comp "${typed[@]}" "${word:0:1}" | grep -qx -- "$word" ||
			    { missing+="$cmdline; "; break; }
			typed+=("$word")
		done
	done < <(mentorctl --help | sed -n 's/^  \([a-z]\+\( [a-z]\+\)\{0,2\}\)  .*/\1/p')
	check_eq "bash completes every command of mentorctl --help" "" "$missing"
	done_testing
) || FAILED=1

if command -v zsh >/dev/null; then
	zd=$R$P/share/zsh/site-functions
	out=$(HOME=$T zsh -fc "fpath=($zd \$fpath); autoload -U compinit
	    compinit -u -d $T/zcd; print -r -- \$_comps[mentorctl]
	    autoload -Uz +X _mentorctl" 2>&1)
	check_eq "the zsh completion loads with compinit without errors" \
	    "_mentorctl" "$out"
	# An interactive zsh on a pty: type "mentorctl listing w", TAB, then
	# prefix the line with "echo MARK-3" and run it.  Reads wait for
	# markers that only the output (not the typed line) contains.
	cat >"$T/z.zsh" <<Z
zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z "PS1='%% '; fpath=($zd \\\$fpath); autoload -U compinit; compinit -u -d $T/zcd2; print READY-\\\$((1+1))"
zpty -r z out '*READY-2*'
zpty -wn z \$'mentorctl listing w\t'
zpty -wn z \$'\x01echo MARK-\$((2+1)) \n'
zpty -r z out '*MARK-3 *'
sleep 0.5
while zpty -rt z line; do out+=\$line; done
print -r -- "\$out"
zpty -d z
Z
	out=$(HOME=$T timeout 30 zsh -f "$T/z.zsh" 2>&1 | tr -d '\r')
	check_match "zsh completes a subcommand at a prompt (listing w<TAB>)" \
	    'MARK-3 mentorctl listing withdraw' "$out"
	out=$(HOME=$T zsh -fc "source $zd/_mentorctl
	    _mentorctl_candidates mentorctl -d $sch listing show ''")
	check_eq "zsh completes a listing id from the node" "$lid" "$out"
	out=$(HOME=$T zsh -fc "source $zd/_mentorctl
	    _mentorctl_candidates mentorctl -d $sch framework remove ''")
	check_eq "zsh completes a framework id from the node" "$fid" "$out"
	out=$(HOME=$T zsh -fc "source $zd/_mentorctl
	    _mentorctl_candidates mentorctl -d $sch occupation show 51-412")
	check_eq "zsh completes O*NET-SOC codes from the node" "51-4121.00 51-4122.00" \
	    "$(echo $out)"
	out=$(HOME=$T zsh -fc "source $zd/_mentorctl
	    _mentorctl_candidates mentorctl web user ''")
	check_eq "zsh completes a three-word command" "add list remove passwd" \
	    "$(echo $out)"
else
	ok "zsh completion # SKIP no zsh"
fi
done_testing
