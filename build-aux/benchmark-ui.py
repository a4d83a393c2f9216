#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""UI benchmark: Belfry's start-up, memory and idle CPU beside the toolkit's floor.

In one run under Xvfb and a private session bus, for belfry, for a minimal
AdwApplication window that this script compiles (what GTK and libadwaita
alone cost here; and the same window with a header bar that shows its title,
which is what the first text on screen costs), and for gnome-calls and
linphone when they are installed:
  - time from spawn to the first mapped top-level window, seen by one
    watcher process (xev on the root window), not by polling;
  - resident memory 5 s after start;
  - CPU ticks over 10 s once settled (from 11 s after the spawn: GTK
    blinks a focused entry's cursor for 10 s, then stops);
and belfry again with a long call history (--history, 2000 calls by
default), which its main window must not take longer to show.
It prints one table, with each figure's ratio to the floor.

Usage: build-aux/benchmark-ui.py [--builddir _build] [--runs 15]
Run it as it is: it starts Xvfb and dbus-run-session itself.
"""

import argparse
import os
import select
import shutil
import statistics
import subprocess
import sqlite3
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.sysconf('SC_PAGE_SIZE')

FLOOR = r'''
#include <adwaita.h>

static gboolean titled;

/* An empty window; with --titled, a header bar shows its title: the first
 * text on screen, which costs GTK a font set-up that the bare window never
 * does. */
static void
activate (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_window_set_title (GTK_WINDOW (window), "Floor");
  if (titled)
    gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), adw_status_page_new ());
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  AdwApplication *app = adw_application_new ("org.belfry.BenchmarkFloor", G_APPLICATION_NON_UNIQUE);

  titled = argc > 1 && g_str_equal (argv[1], "--titled");
  g_signal_connect (app, "activate", G_CALLBACK (activate), NULL);
  return g_application_run (G_APPLICATION (app), 1, argv);
}
'''


def ensure_packages(packages):
    missing = [p for p in packages
               if 'install ok installed' not in subprocess.run(
                   ['dpkg-query', '-W', '-f=${Status}', p], capture_output=True, text=True).stdout]
    if missing:
        sudo = [] if os.geteuid() == 0 else ['sudo']
        subprocess.run(sudo + ['apt-get', 'update', '-q'], check=True)
        subprocess.run(sudo + ['apt-get', 'install', '-y', '-q', '--no-install-recommends'] + missing,
                       check=True, env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))


def ticks(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])


def rss_mb(pid):
    with open('/proc/%d/statm' % pid) as f:
        return int(f.read().split()[1]) * PAGE / 1e6


class Watcher:
    """One xev on the root window: MapNotify of top-level windows."""

    def __init__(self):
        self.proc = subprocess.Popen(['xev', '-root', '-event', 'substructure'],
                                     stdout=subprocess.PIPE)
        self.fd = self.proc.stdout.fileno()

    def _read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        return os.read(self.fd, 65536) if ready else b''

    def drain(self):
        while self._read(0):
            pass

    def wait_map(self, timeout):
        """The monotonic time of the next MapNotify, or None."""
        deadline = time.monotonic() + timeout
        buffer = b''
        while time.monotonic() < deadline:
            buffer += self._read(deadline - time.monotonic())
            if b'MapNotify' in buffer:
                return time.monotonic()
        return None

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def spawn_until_mapped(argv, env, watcher):
    """Spawn argv; the process and its seconds to the first mapped window (None: no window)."""
    watcher.drain()
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    mapped = watcher.wait_map(30)
    return proc, None if mapped is None else mapped - t0


def measure_start(argv, env, watcher):
    proc, seconds = spawn_until_mapped(argv, env, watcher)
    stop(proc)
    return seconds


# GTK blinks the cursor of a focused entry for its gtk-cursor-blink-timeout
# (10 s) after the last input, then stops: a window is settled after that.
SETTLED = 11


def measure_steady(argv, env, watcher):
    """RSS 5 s after the spawn, and CPU ticks over 10 s once the window has
    settled (SETTLED s after the spawn)."""
    proc, seconds = spawn_until_mapped(argv, env, watcher)
    if seconds is None:
        stop(proc)
        return None
    time.sleep(max(0, 5 - seconds))
    rss = rss_mb(proc.pid)
    time.sleep(SETTLED - 5)
    before = ticks(proc.pid)
    time.sleep(10)
    idle = ticks(proc.pid) - before
    stop(proc)
    return rss, idle


def measure(contenders, watcher, runs):
    """Start-up times in rounds that take every contender in turn, after one
    unmeasured warm-up start each (disk cache, font and icon caches), so that
    what the machine does meanwhile falls on all of them alike; then one
    steady run each for memory and idle CPU."""
    starts = {name: [] for name, _, _ in contenders}
    for name, argv, env in contenders:
        measure_start(argv, env, watcher)
    for round_ in range(runs):
        print('start-up round %d of %d ...' % (round_ + 1, runs), file=sys.stderr)
        for name, argv, env in contenders:
            seconds = measure_start(argv, env, watcher)
            if seconds is not None:
                starts[name].append(seconds)
    results = {}
    for name, argv, env in contenders:
        print('memory and idle CPU of', name, '...', file=sys.stderr)
        steady = measure_steady(argv, env, watcher)
        if steady is None or len(starts[name]) < runs:
            results[name] = None
            continue
        results[name] = {'start': statistics.median(starts[name]),
                         'quartiles': statistics.quantiles(starts[name], n=4) if runs > 1 else [starts[name][0]] * 3,
                         'rss': steady[0], 'idle': steady[1]}
    return results


def history_env(env, work, belfry, calls):
    """An environment whose HOME holds a call history of @calls calls: Belfry
    creates its database, then the calls go in as Belfry would have written
    them."""
    home = os.path.join(work, 'home-history')
    os.makedirs(home)
    env = dict(env, HOME=home)
    proc = subprocess.Popen(belfry, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    database = os.path.join(home, '.local', 'share', 'belfry', 'history.db')
    deadline = time.monotonic() + 30
    while not os.path.exists(database) and time.monotonic() < deadline:
        time.sleep(0.1)
    stop(proc)
    now = int(time.time())
    with sqlite3.connect(database) as db:
        db.executemany('INSERT INTO calls (direction, remote_uri, remote_name, start_time, duration, outcome,'
                       ' reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
                       [('incoming' if i % 3 else 'outgoing', 'sip:user%d@example.org' % (i % 150),
                         'User %d' % (i % 150), now - i * 3600, (i * 37) % 900,
                         ('answered', 'missed', 'declined', 'failed')[i % 4], 'Busy Here' if i % 4 == 3 else None)
                        for i in range(calls)])
    return env


def inner(args):
    work = tempfile.mkdtemp(prefix='belfry-bench-ui-')
    try:
        floor = os.path.join(work, 'floor')
        with open(floor + '.c', 'w') as f:
            f.write(FLOOR)
        cflags = subprocess.run(['pkg-config', '--cflags', '--libs', 'libadwaita-1'],
                                capture_output=True, text=True, check=True).stdout.split()
        subprocess.run(['gcc', '-O2', floor + '.c', '-o', floor] + cflags, check=True)

        home = os.path.join(work, 'home')
        run = os.path.join(work, 'run')
        os.makedirs(home)
        os.makedirs(run, mode=0o700)
        env = dict(os.environ, HOME=home, XDG_RUNTIME_DIR=run, GSETTINGS_BACKEND='memory',
                   GSETTINGS_SCHEMA_DIR=os.path.join(args.builddir, 'data'),
                   GSK_RENDERER='cairo', GTK_A11Y='none', ADW_DISABLE_PORTAL='1', NO_AT_BRIDGE='1',
                   BELFRY_LISTEN_ADDRESS='127.0.0.1', BELFRY_DIRECT_PORT='0',
                   BELFRY_MEDIA_MODULE=os.path.join(args.builddir, 'app', 'media', 'belfry-media.so'))

        belfry = [os.path.join(args.builddir, 'ui', 'belfry')]
        contenders = [('floor (AdwApplication)', [floor], env),
                      ('floor with a title bar', [floor, '--titled'], env),
                      ('belfry', belfry, env)]
        if args.history:
            contenders.append(('belfry, %d calls in history' % args.history, belfry,
                               history_env(env, work, belfry, args.history)))
        for name, binary in (('gnome-calls', 'gnome-calls'), ('linphone', 'linphone')):
            path = shutil.which(binary)
            if path:
                contenders.append((name, [path], env))
            else:
                print('%s is not installed here; skipped' % name, file=sys.stderr)

        watcher = Watcher()
        time.sleep(0.5)
        results = measure(contenders, watcher, args.runs)
        watcher.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    floor = results['floor (AdwApplication)']
    print('%d start-up rounds; first window: median, and the quartiles across the rounds' % args.runs)
    print('%-24s %14s %14s %8s %8s %12s %10s' % ('', 'first window s', 'quartiles', 'ratio', 'RSS MB',
                                                  'RSS - floor', 'idle ticks'))
    for name, r in results.items():
        if r is None:
            print('%-24s %14s' % (name, 'no window'))
            continue
        print('%-24s %14.3f %6.3f-%6.3f %8.2f %8.1f %12.1f %10d' % (
            name, r['start'], r['quartiles'][0], r['quartiles'][2], r['start'] / floor['start'],
            r['rss'], r['rss'] - floor['rss'], r['idle']))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--builddir', default=os.path.join(TOP, '_build'))
    parser.add_argument('--runs', type=int, default=15, help='start-up rounds')
    parser.add_argument('--history', type=int, default=2000,
                        help='also measure belfry with this many calls in its history (0: not)')
    parser.add_argument('--inner', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.inner:
        inner(args)
        return

    ensure_packages(['xvfb', 'xauth', 'dbus', 'x11-utils', 'libadwaita-1-dev', 'gcc', 'pkg-config'])
    if not os.path.exists(os.path.join(args.builddir, 'ui', 'belfry')):
        subprocess.run(['meson', 'setup', args.builddir], cwd=TOP, check=False)
        subprocess.run(['meson', 'compile', '-C', args.builddir], cwd=TOP, check=True)
    sys.exit(subprocess.run(['dbus-run-session', '--', 'xvfb-run', '--auto-servernum',
                             '--server-args=-screen 0 1280x1024x24',
                             sys.executable, os.path.abspath(__file__), '--inner',
                             '--builddir', os.path.abspath(args.builddir), '--runs', str(args.runs),
                             '--history', str(args.history)]).returncode)


if __name__ == '__main__':
    main()
