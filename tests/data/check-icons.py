#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The application icons are well-formed SVG of the sizes the icon theme expects.

Usage: check-icons.py APP_ID DATA_DIR

The full-colour icon is drawn on a 128 by 128 canvas, the symbolic one on a
16 by 16 canvas in a single colour, as the GNOME icon guidelines ask.
"""

import os
import re
import sys
import xml.etree.ElementTree as ET

SVG = '{http://www.w3.org/2000/svg}'


def check(path, size, symbolic):
    problems = []
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        return [f'{path}: {e}']
    if root.tag != SVG + 'svg':
        problems.append(f'{path}: the root element is {root.tag}, not svg')
    for attr in ('width', 'height'):
        if root.get(attr) != str(size):
            problems.append(f'{path}: {attr} is {root.get(attr)!r}, expected {size}')
    if (root.get('viewBox') or '').split() != ['0', '0', str(size), str(size)]:
        problems.append(f'{path}: viewBox is {root.get("viewBox")!r}, expected 0 0 {size} {size}')
    drawn = [e for e in root.iter() if e.tag in
             (SVG + 'path', SVG + 'rect', SVG + 'circle', SVG + 'ellipse', SVG + 'polygon')]
    if not drawn:
        problems.append(f'{path}: draws nothing')
    for e in root.iter():
        if e.tag in (SVG + 'image', SVG + 'text', SVG + 'script'):
            problems.append(f'{path}: contains <{e.tag[len(SVG):]}>')
    if symbolic:
        colours = set()
        for e in root.iter():
            for attr in ('fill', 'stroke'):
                value = e.get(attr)
                if value and value not in ('none', 'currentColor'):
                    colours.add(value.lower())
            for m in re.finditer(r'(fill|stroke)\s*:\s*([^;]+)', e.get('style') or ''):
                if m.group(2).strip() not in ('none', 'currentColor'):
                    colours.add(m.group(2).strip().lower())
        if len(colours) > 1:
            problems.append(f'{path}: a symbolic icon has one colour, found {sorted(colours)}')
    return problems


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    app_id, data = sys.argv[1:]
    icons = [
        (os.path.join(data, 'icons/hicolor/scalable/apps', app_id + '.svg'), 128, False),
        (os.path.join(data, 'icons/hicolor/symbolic/apps', app_id + '-symbolic.svg'), 16, True),
    ]
    problems = []
    for path, size, symbolic in icons:
        found = check(path, size, symbolic)
        problems += found
        if not found:
            print(f'ok: {path}')
    for p in problems:
        print('FAIL:', p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
