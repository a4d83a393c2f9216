#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every translation is complete: the template is made afresh from the files in
# po/POTFILES.in (as the belfry-pot target would), each .po is merged with it,
# and the result must have no untranslated and no fuzzy message. A new
# translatable string without its translations makes this test fail.
. "$(dirname "$0")/common.sh"

srcdir=$(realpath "$1")
podir=$srcdir/po
package=belfry
[ -f "$podir/POTFILES.in" ] || fail "no po/POTFILES.in"
[ -f "$podir/LINGUAS" ] || fail "no po/LINGUAS"

langs=$(sed -e 's/#.*//' "$podir/LINGUAS" | tr -s ' \t' '\n\n' | sed '/^$/d')
[ -n "$langs" ] || fail "po/LINGUAS lists no language"
for po in "$podir"/*.po; do
  [ -e "$po" ] || continue
  lang=$(basename "$po" .po)
  printf '%s\n' "$langs" | grep -qx "$lang" || fail "po/$lang.po is not listed in po/LINGUAS"
done

# POTFILES.in itself: sorted, every file exists, and no source file with
# translatable strings is missing from it.
listed=$(sed -e '/^#/d' -e '/^[[:space:]]*$/d' "$podir/POTFILES.in")
[ "$(printf '%s\n' "$listed" | LC_ALL=C sort)" = "$listed" ] || fail "po/POTFILES.in is not sorted"
for f in $listed; do
  [ -f "$srcdir/$f" ] || fail "po/POTFILES.in lists $f, which does not exist"
done
cd "$srcdir"
candidates=$( {
  ls data/*.desktop.in data/*.metainfo.xml.in data/*.gschema.xml 2>/dev/null || true
  grep -rlE '(^|[^A-Za-z0-9_])(N?C?_|g_dngettext|g_dpgettext2) ?\(' --include='*.c' app ui \
    2>/dev/null || true
  grep -rl 'translatable="yes"' --include='*.ui' --include='*.blp' ui 2>/dev/null || true
} | LC_ALL=C sort -u)
for f in $candidates; do
  printf '%s\n' "$listed" | grep -qxF "$f" ||
    fail "$f has translatable strings but is not in po/POTFILES.in"
done

# The arguments of meson's i18n.gettext (preset: 'glib'), as the belfry-pot
# target passes them.
xgettext --package-name="$package" -f "$podir/POTFILES.in" -D "$srcdir" -k_ \
  -o "$tmp/$package.pot" \
  --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
  --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
  --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format ||
  fail "xgettext failed"
[ -s "$tmp/$package.pot" ] || fail "xgettext found no translatable string"
total=$(msgfmt --statistics -o /dev/null "$tmp/$package.pot" 2>&1 |
  sed -n 's/.* \([0-9][0-9]*\) untranslated message.*/\1/p')
echo "template: ${total:-?} messages"

status=0
for lang in $langs; do
  po=$podir/$lang.po
  if [ ! -f "$po" ]; then
    echo "FAIL: po/LINGUAS lists $lang but po/$lang.po does not exist" >&2
    status=1
    continue
  fi
  if ! msgfmt --check -o /dev/null "$po"; then
    echo "FAIL: msgfmt --check po/$lang.po" >&2
    status=1
    continue
  fi
  msgmerge --quiet -o "$tmp/$lang.po" "$po" "$tmp/$package.pot" || fail "msgmerge po/$lang.po"
  stats=$(msgfmt --check --statistics -o /dev/null "$tmp/$lang.po" 2>&1) ||
    { echo "FAIL: $lang: $stats" >&2; status=1; continue; }
  echo "$lang: $stats"
  case $stats in
    *fuzzy*|*untranslated*)
      echo "FAIL: $lang is incomplete; these need a translation:" >&2
      msgattrib --no-wrap --only-fuzzy "$tmp/$lang.po" 2>/dev/null |
        sed -n 's/^msgid "\(..*\)"$/  \1/p' >&2
      msgattrib --no-wrap --untranslated --no-obsolete "$tmp/$lang.po" 2>/dev/null |
        sed -n 's/^msgid "\(..*\)"$/  \1/p' >&2
      status=1
      ;;
  esac
done
exit $status
