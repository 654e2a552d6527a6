# bash completion for mentorctl, installed as
# share/bash-completion/completions/mentorctl.  Commands (of one to three
# words) and options come from `mentorctl --help`; student, listing,
# application, node, framework, account and token ids and occupation
# codes from the node itself (`mentorctl --json ...`, 2 s at most).

# _mentorctl_json_ids PAD KEY CMD...: the KEY values of the objects that
# CMD's JSON prints indented by PAD spaces (4: a list; 6: a list in an
# object, as {"tokens": [...]}).
_mentorctl_json_ids() {
	local pad=$1 key=$2; shift 2
	"${_mentorctl_node[@]}" --json --timeout 2 "$@" 2>/dev/null |
	    sed -n 's/^ \{'"$pad"'\}"'"$key"'": "\([^"]*\)".*/\1/p'
}

# _mentorctl_candidates WORD...: what may follow the words typed so far
# (the last WORD is the one being completed), one per line.
_mentorctl_candidates() {
	local -a words=("$@") rest=()
	local n=$# cur=${!#} i w cmd="" nargs all subs help=0
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
	--role)
		if [ "${rest[*]:0:2}" = "web token" ]; then
			compgen -W "coordinator employer admin metrics" -- "$cur"
		else
			compgen -W "coordinator employer admin" -- "$cur"
		fi
		return ;;
	--format) compgen -W "csv json oneroster" -- "$cur"; return ;;
	--timeout|--connect|--top|--guardian|--expires|--scope|\
	--message|--note|--organization) return ;;
	esac
	all=$(mentorctl --help 2>/dev/null |
	    sed -n 's/^  \([a-z]\+\( [a-z]\+\)\{0,2\}\)  .*/\1/p')
	if [ "${rest[0]:-}" = help ]; then
		help=1
		rest=("${rest[@]:1}")
	fi
	if ((${#rest[@]} == 0)); then
		if [[ $cur == -* ]] && ((!help)); then
			compgen -W "-d --dir --json --timeout --key --connect
			    --version --help" -- "$cur"
		else
			compgen -W "$( ((help)) || echo help)
			    $(awk '{ print $1 }' <<<"$all" | sort -u)" -- "$cur"
		fi
		return
	fi
	# The next words of the commands that start with the words typed
	# (a group's subcommands: web -> user, code, token).
	subs=$(awk -v p="${rest[*]} " 'index($0, p) == 1 {
	    split(substr($0, length(p) + 1), a, " "); print a[1] }' \
	    <<<"$all" | sort -u)
	# The command: the longest run of the first words that is one.
	for ((i = ${#rest[@]} < 3 ? ${#rest[@]} : 3; i > 0; i--)); do
		if grep -qxF -- "${rest[*]:0:i}" <<<"$all"; then
			cmd="${rest[*]:0:i}"; nargs=$((${#rest[@]} - i))
			break
		fi
	done
	if ((help)); then
		compgen -W "$subs" -- "$cur"
		return
	fi
	[ -n "$subs" ] && [[ $cur != -* ]] && compgen -W "$subs" -- "$cur"
	[ -z "$cmd" ] && return
	if [[ $cur == -* ]]; then
		compgen -W "--help $(mentorctl $cmd --help 2>/dev/null |
		    head -n 1 | grep -o -- '--[a-z-]*')" -- "$cur"
		return
	fi
	case "$cmd:$nargs" in
	"listing show:0"|"listing withdraw:0"|"apply:1")
		compgen -W "$(_mentorctl_json_ids 4 id listing list)" -- "$cur" ;;
	"student show:0"|"student delete:0"|"student key:0"|"match:0"|\
	"consent:0"|"consent list:0"|"consent revoke:0"|"apply:0"|\
	"pathway:0"|"web code revoke:0"|"web code:"*)
		compgen -W "$(_mentorctl_json_ids 4 id student list)" -- "$cur" ;;
	"application show:0"|"application accept:0"|"application decline:0")
		compgen -W "$(_mentorctl_json_ids 4 id application list)" \
		    -- "$cur" ;;
	"peer remove:0")
		compgen -W "$(_mentorctl_json_ids 4 node_id peer list)" \
		    -- "$cur" ;;
	"trust remove:0")
		compgen -W "$(_mentorctl_json_ids 4 node_id trust list)" \
		    -- "$cur" ;;
	"framework show:0"|"framework remove:0")
		compgen -W "$(_mentorctl_json_ids 4 id framework list)" \
		    -- "$cur" ;;
	"occupation show:0")
		# O*NET-SOC codes that start with what is typed (a search).
		[ -n "$cur" ] && compgen -W "$(_mentorctl_json_ids 4 code \
		    occupation search "$cur" --top 100)" -- "$cur" ;;
	"web user remove:0"|"web user passwd:0")
		compgen -W "$(_mentorctl_json_ids 6 name web user list)" \
		    -- "$cur" ;;
	"web token revoke:0")
		compgen -W "$(_mentorctl_json_ids 6 name web token list)" \
		    -- "$cur" ;;
	"listing post:0"|"listing import:0"|"listing suggest:0"|\
	"records import:0"|"records export:0"|"student import:0"|\
	"framework import:0"|"credential verify:0"|"backup:0")
		compgen -f -- "$cur" ;;
	esac
}

_mentorctl() {
	mapfile -t COMPREPLY < <(_mentorctl_candidates \
	    "${COMP_WORDS[@]:0:COMP_CWORD+1}")
}
complete -o filenames -F _mentorctl mentorctl
