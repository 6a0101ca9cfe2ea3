#!/bin/sh
# Regenerates the usage blocks of docs/CLI.md from the commands' own --help, so the reference never drifts from the
# code. Only the lines between "<!-- generated: ferry CMD --help -->" and the next "<!-- end generated -->" are
# rewritten; everything else (the introduction, the prose after a command's block) is written by hand and kept.
# A command of 'ferry --help' without a block gets a new section at the end (said on stderr); a block naming a
# command that is gone stops the script, the file untouched.
#
#   scripts/cli-reference.sh           rewrite docs/CLI.md
#   scripts/cli-reference.sh --check   exit 1 (and show the diff) when docs/CLI.md is not what it would write
set -e
cd "$(dirname "$0")/.."
doc=docs/CLI.md
check=
case "$1" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
./ferry --version >/dev/null # builds the jar first: its messages never land in a block
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
commands=$(./ferry --help | sed -n '/^Commands:/,$p' | awk 'NR>1 && /^  [a-z]/ {print $1}' | grep -vx help)
seen=" "
inside= # set within a block
block=  # its command: "" for ferry itself, " run"...
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    "<!-- generated: ferry"*" --help -->")
      if [ -n "$inside" ]; then
        echo "$doc: '$line' inside the block of 'ferry$block' (no end marker)" >&2
        exit 1
      fi
      cmd=${line#"<!-- generated: ferry"}
      cmd=${cmd%" --help -->"} # "" or " run"
      printf '%s\n' "$line" '```'
      # shellcheck disable=SC2086 # the command's name is one word, or none for ferry itself
      ./ferry $cmd --help || { echo "$doc: 'ferry$cmd --help' failed: remove or rename its block" >&2; exit 1; }
      echo '```'
      inside=1
      block="$cmd"
      seen="$seen${cmd# } "
      ;;
    "<!-- end generated -->")
      inside=
      printf '%s\n' "$line"
      ;;
    *) if [ -z "$inside" ]; then printf '%s\n' "$line"; fi ;;
  esac
done < "$doc" > "$tmp"
if [ -n "$inside" ]; then
  echo "$doc: the block of 'ferry$block' has no '<!-- end generated -->'" >&2
  exit 1
fi
for c in $commands; do
  case "$seen" in *" $c "*) continue ;; esac
  echo "$doc: new section for 'ferry $c' at the end: move it and add its prose" >&2
  {
    printf '\n## ferry %s\n\n<!-- generated: ferry %s --help -->\n```\n' "$c" "$c"
    ./ferry "$c" --help
    printf '```\n<!-- end generated -->\n'
  } >> "$tmp"
done
if [ -n "$check" ]; then
  diff -u "$doc" "$tmp" && echo "$doc is up to date" && exit 0
  echo "$doc differs from the commands' --help: run $0" >&2
  exit 1
fi
cp "$tmp" "$doc"
echo "wrote $doc"
