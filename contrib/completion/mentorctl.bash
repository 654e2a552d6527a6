# bash completion for mentorctl, installed as
# share/bash-completion/completions/mentorctl.  Commands and options come
# from `mentorctl --help`; student, listing, application and node ids from
# the node itself (`mentorctl --json ... list`, 2 s at most).

# _mentorctl_json_ids KEY CMD...: the KEY values of the objects of a list.
_mentorctl_json_ids() {
	local key=$1; shift
	"${_mentorctl_node[@]}" --json --timeout 2 "$@" 2>/dev/null |
	    sed -n 's/^    "'"$key"'": "\([^"]*\)".*/\1/p'
}

# _mentorctl_candidates WORD...: what may follow the words typed so far
# (the last WORD is the one being completed), one per line.
_mentorctl_candidates() {
	local -a words=("$@") rest=()
	local n=$# cur=${!#} i w cmd="" nargs
	_mentorctl_node=(mentorctl)
	for ((i = 1; i < n - 1; i++)); do
		w=${words[i]}
		if ((${#rest[@]} == 0)); then
			case $w in
			-d|--dir|--key|--connect|--timeout)
				_mentorctl_node+=("$w" "${words[i+1]}")
				i=$((i + 1)); continue ;;
			-*) _mentorctl_node+=("$w"); continue ;;
			esac
		fi
		rest+=("$w")
	done
	case ${words[n-2]} in
	-d|--dir) compgen -d -- "$cur"; return ;;
	--key|--out) compgen -f -- "$cur"; return ;;
	--timeout|--connect|--format|--top|--guardian|--expires|--scope|\
	--message|--note|--organization) return ;;
	esac
	if ((${#rest[@]} == 0)); then
		if [[ $cur == -* ]]; then
			compgen -W "-d --dir --json --timeout --key --connect
			    --version --help" -- "$cur"
		else
			compgen -W "help $(mentorctl --help 2>/dev/null |
			    awk '/^  [a-z]/ { print $1 }' | sort -u)" -- "$cur"
		fi
		return
	fi
	local all; all=$(mentorctl --help 2>/dev/null |
	    sed -n 's/^  \([a-z]\+\( [a-z]\+\)\?\)  .*/\1/p')
	if [ "${rest[0]}" = help ]; then
		if ((${#rest[@]} == 1)); then
			compgen -W "$(awk '{ print $1 }' <<<"$all" | sort -u)" \
			    -- "$cur"
		else
			compgen -W "$(sed -n "s/^${rest[1]} //p" <<<"$all")" \
			    -- "$cur"
		fi
		return
	fi
	if ((${#rest[@]} >= 2)) && grep -qx "${rest[0]} ${rest[1]}" <<<"$all"
	then
		cmd="${rest[0]} ${rest[1]}"; nargs=$((${#rest[@]} - 2))
	elif grep -qx "${rest[0]}" <<<"$all"; then
		cmd=${rest[0]}; nargs=$((${#rest[@]} - 1))
	fi
	if ((${#rest[@]} == 1)); then
		# Subcommands of a group (consent is also a command).
		compgen -W "$(sed -n "s/^${rest[0]} //p" <<<"$all")" -- "$cur"
		[ -z "$cmd" ] && return
	fi
	[ -z "$cmd" ] && return
	if [[ $cur == -* ]]; then
		compgen -W "--help $(mentorctl $cmd --help 2>/dev/null |
		    head -n 1 | grep -o -- '--[a-z-]*')" -- "$cur"
		return
	fi
	case "$cmd:$nargs" in
	"listing show:0"|"listing withdraw:0"|"apply:1")
		compgen -W "$(_mentorctl_json_ids id listing list)" -- "$cur" ;;
	"student show:0"|"student delete:0"|"student key:0"|"match:0"|\
	"consent:0"|"consent list:0"|"consent revoke:0"|"apply:0")
		compgen -W "$(_mentorctl_json_ids id student list)" -- "$cur" ;;
	"application show:0"|"application accept:0"|"application decline:0")
		compgen -W "$(_mentorctl_json_ids id application list)" \
		    -- "$cur" ;;
	"peer remove:0")
		compgen -W "$(_mentorctl_json_ids node_id peer list)" -- "$cur" ;;
	"trust remove:0")
		compgen -W "$(_mentorctl_json_ids node_id trust list)" \
		    -- "$cur" ;;
	"listing post:0"|"records import:0"|"records export:0"|\
	"student import:0")
		compgen -f -- "$cur" ;;
	esac
}

_mentorctl() {
	mapfile -t COMPREPLY < <(_mentorctl_candidates \
	    "${COMP_WORDS[@]:0:COMP_CWORD+1}")
}
complete -o filenames -F _mentorctl mentorctl
