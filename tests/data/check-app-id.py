#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The application ID is the same everywhere it is written.

Usage: check-app-id.py APP_ID SOURCE_ROOT BUILD_ROOT

Checks the names and contents of the desktop file, metainfo, GSettings schema,
D-Bus service file, icons, GResource prefixes (when ui/ has a .gresource.xml)
and the Flatpak manifest against APP_ID, the ID that meson.build defines.
"""

import configparser
import glob
import json
import os
import sys
import xml.etree.ElementTree as ET

problems = []
checked = []


def expect(what, found, wanted):
    checked.append(what)
    if found != wanted:
        problems.append(f'{what}: found {found!r}, expected {wanted!r}')


def read_ini(path, section):
    parser = configparser.RawConfigParser(strict=True, interpolation=None)
    parser.optionxform = str
    with open(path, encoding='utf-8') as f:
        parser.read_file(f)
    return parser[section]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    app_id, srcdir, builddir = sys.argv[1:]
    path = '/' + app_id.replace('.', '/')
    data = os.path.join(srcdir, 'data')

    # Desktop file: its name, and the icon it names.
    desktop_in = os.path.join(data, app_id + '.desktop.in')
    expect('desktop file name', os.path.exists(desktop_in), True)
    if os.path.exists(desktop_in):
        entry = read_ini(desktop_in, 'Desktop Entry')
        expect('desktop file Icon', entry.get('Icon'), app_id)
        expect('desktop file DBusActivatable', entry.get('DBusActivatable'), 'true')
    merged = os.path.join(builddir, 'data', app_id + '.desktop')
    if os.path.exists(merged):
        expect('merged desktop file Icon', read_ini(merged, 'Desktop Entry').get('Icon'), app_id)

    # Metainfo: file name, <id>, <launchable>, D-Bus name.
    metainfo = os.path.join(data, app_id + '.metainfo.xml.in')
    expect('metainfo file name', os.path.exists(metainfo), True)
    if os.path.exists(metainfo):
        root = ET.parse(metainfo).getroot()
        expect('metainfo <id>', root.findtext('id'), app_id)
        launchables = [l.text for l in root.findall('launchable')
                       if l.get('type') == 'desktop-id']
        expect('metainfo <launchable type="desktop-id">', launchables, [app_id + '.desktop'])
        dbus = [d.text for d in root.findall('provides/dbus')]
        expect('metainfo <provides><dbus>', dbus, [app_id])
        translations = [t.text for t in root.findall('translation')]
        expect('metainfo <translation>', translations, ['belfry'])

    # GSettings schema: file name, the main schema's id and path.
    schema = os.path.join(data, app_id + '.gschema.xml')
    expect('schema file name', os.path.exists(schema), True)
    if os.path.exists(schema):
        schemas = {s.get('id'): s for s in ET.parse(schema).getroot().findall('schema')}
        expect('schema id', app_id in schemas, True)
        if app_id in schemas:
            expect('schema path', schemas[app_id].get('path'), path + '/')
        for sid in schemas:
            expect(f'schema {sid} is under the application ID',
                   sid == app_id or sid.startswith(app_id + '.'), True)

    # D-Bus service file: file name, Name, and that it starts the GApplication service.
    service = os.path.join(data, app_id + '.service.in')
    expect('D-Bus service file name', os.path.exists(service), True)
    if os.path.exists(service):
        section = read_ini(service, 'D-BUS Service')
        expect('D-Bus service Name', section.get('Name'), app_id)
        expect('D-Bus service Exec starts the service',
               (section.get('Exec') or '').endswith('/belfry --gapplication-service'), True)

    # Icons.
    for icon in ('icons/hicolor/scalable/apps/%s.svg' % app_id,
                 'icons/hicolor/symbolic/apps/%s-symbolic.svg' % app_id):
        expect(f'icon {icon}', os.path.exists(os.path.join(data, icon)), True)

    # GResource bundles: every prefix lies under the resource path.
    gresources = sorted(glob.glob(os.path.join(srcdir, 'ui', '*.gresource.xml')))
    if not gresources:
        print('note: no ui/*.gresource.xml yet; resource path not checked')
    for g in gresources:
        name = os.path.relpath(g, srcdir)
        prefixes = [r.get('prefix', '') for r in ET.parse(g).getroot().findall('gresource')]
        expect(f'{name} has a <gresource prefix>', bool(prefixes), True)
        for prefix in prefixes:
            expect(f'{name} prefix {prefix} is under {path}',
                   prefix.rstrip('/') == path or prefix.startswith(path + '/'), True)

    # Flatpak manifest: file name and app-id.
    manifest = os.path.join(srcdir, 'flatpak', app_id + '.json')
    expect('Flatpak manifest file name', os.path.exists(manifest), True)
    if os.path.exists(manifest):
        with open(manifest, encoding='utf-8') as f:
            m = json.load(f)
        expect('Flatpak manifest app-id', m.get('app-id', m.get('id')), app_id)
        expect('Flatpak manifest command', m.get('command'), 'belfry')

    for what in checked:
        print('checked:', what)
    for p in problems:
        print('FAIL:', p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
