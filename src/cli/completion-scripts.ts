/**
 * The scripts `netpeek completion bash|zsh|fish` prints. Each one knows nothing of netpeek's commands:
 * it hands the words on the line to the hidden `netpeek __complete` (kubectl's and cobra's design), which
 * answers one candidate a line (`word<TAB>description`) and then `:<directive>`, a bit set:
 * 2 = no space after the candidate (`pod/`, `--namespace=`), 4 = no file names, 0 = file names are fine
 * (a flag that takes a path, such as --kubeconfig).
 */

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export const DIRECTIVE = { noSpace: 2, noFiles: 4 } as const;

const BASH = `# netpeek completion for bash. Load it in this shell:   source <(netpeek completion bash)
# or for every shell:   netpeek completion bash > /etc/bash_completion.d/netpeek
_netpeek() {
    local IFS=$'\\n' i word merged=() out directive line cur bashcur prefix
    # bash splits "--namespace=shop" at "=" (COMP_WORDBREAKS); netpeek reads the word whole.
    for ((i = 1; i <= COMP_CWORD; i++)); do
        word=\${COMP_WORDS[i]}
        if [[ \${#merged[@]} -gt 0 && ( $word == "=" || \${merged[-1]} == *= ) ]]; then
            merged[-1]+=$word
        else
            merged+=("$word")
        fi
    done
    [[ \${COMP_WORDS[COMP_CWORD]} == "=" ]] && bashcur="" || bashcur=\${COMP_WORDS[COMP_CWORD]}
    cur=\${merged[-1]}
    out=$(netpeek __complete "\${merged[@]}" 2>/dev/null) || return 0
    directive=\${out##*:}
    out=\${out%:*}
    # What bash replaces is its own current word: drop what netpeek's word has before it ("--namespace=").
    prefix=\${cur%"$bashcur"}
    COMPREPLY=()
    for line in $out; do
        line=\${line%%$'\\t'*}
        [[ -n $line && $line == "$cur"* ]] && COMPREPLY+=("\${line#"$prefix"}")
    done
    if (( directive & 2 )); then compopt -o nospace 2>/dev/null; fi
    if (( \${#COMPREPLY[@]} == 0 )) && ! (( directive & 4 )); then
        compopt -o default 2>/dev/null
    fi
    return 0
}
complete -o nosort -F _netpeek netpeek 2>/dev/null || complete -F _netpeek netpeek
`;

const ZSH = `#compdef netpeek
# netpeek completion for zsh. Load it in this shell:   source <(netpeek completion zsh)
# or for every shell:   netpeek completion zsh > "\${fpath[1]}/_netpeek"   (then start a new shell)
_netpeek() {
    local out directive line
    local -a lines values descriptions
    out=$(netpeek __complete "\${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
    lines=("\${(@f)out}")
    directive=\${lines[-1]#:}
    for line in "\${(@)lines[1,-2]}"; do
        [[ -z $line ]] && continue
        values+=("\${line%%$'\\t'*}")
        if [[ $line == *$'\\t'* ]]; then descriptions+=("\${line%%$'\\t'*}  -- \${line#*$'\\t'}"); else descriptions+=("\${line}"); fi
    done
    if (( \${#values} )); then
        if (( directive & 2 )); then
            compadd -Q -S '' -l -d descriptions -a values
        else
            compadd -Q -l -d descriptions -a values
        fi
        return 0
    fi
    (( directive & 4 )) || _files
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
    _netpeek "$@"
else
    compdef _netpeek netpeek
fi
`;

const FISH = `# netpeek completion for fish. Load it in this shell:   netpeek completion fish | source
# or for every shell:   netpeek completion fish > ~/.config/fish/completions/netpeek.fish
function __netpeek_complete
    set -l words (commandline -opc)[2..-1] (commandline -ct)
    set -l out (netpeek __complete $words 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    for line in $out
        test -n "$line"; and printf '%s\\n' $line
    end
    # No candidates and file names allowed: fish's own file completion.
    if test (count $out) -eq 0; and test (math "bitand($directive, 4)") -eq 0
        __fish_complete_path (commandline -ct)
    end
end
complete -c netpeek -f -a '(__netpeek_complete)'
`;

export function completionScript(shell: Shell): string {
  return shell === 'bash' ? BASH : shell === 'zsh' ? ZSH : FISH;
}
