#!/usr/bin/env python3
"""UI benchmark: Belfry's start-up, memory and idle CPU beside the toolkit's floor.

In one run under Xvfb and a private session bus, for belfry, for a minimal
AdwApplication window that this script compiles (what GTK and libadwaita
alone cost here), and for gnome-calls and linphone when they are installed:
  - time from spawn to the first mapped top-level window, seen by one
    watcher process (xev on the root window), not by polling;
  - resident memory 5 s after start;
  - CPU ticks over 10 s once settled.
It prints one table, with each figure's ratio to the floor.

Usage: build-aux/benchmark-ui.py [--builddir _build] [--runs 3]
Run it as it is: it starts Xvfb and dbus-run-session itself.
"""

import argparse
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.sysconf('SC_PAGE_SIZE')

FLOOR = r'''
#include <adwaita.h>

static void
activate (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));

  gtk_window_set_title (GTK_WINDOW (window), "Floor");
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window),
                                      adw_status_page_new ());
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  AdwApplication *app = adw_application_new ("org.belfry.BenchmarkFloor", G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "activate", G_CALLBACK (activate), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
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


def measure(name, argv, env, watcher, runs):
    starts, rss, idle = [], [], []
    for _ in range(runs):
        watcher.drain()
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        mapped = watcher.wait_map(30)
        if mapped is None:
            proc.kill()
            proc.wait()
            return None
        starts.append(mapped - t0)
        time.sleep(5 - (mapped - t0) if mapped - t0 < 5 else 0)
        rss.append(rss_mb(proc.pid))
        time.sleep(1)
        before = ticks(proc.pid)
        time.sleep(10)
        idle.append(ticks(proc.pid) - before)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return {'start': statistics.median(starts), 'rss': statistics.median(rss), 'idle': max(idle)}


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

        contenders = [('floor (AdwApplication)', [floor]),
                      ('belfry', [os.path.join(args.builddir, 'ui', 'belfry')])]
        for name, binary in (('gnome-calls', 'gnome-calls'), ('linphone', 'linphone')):
            path = shutil.which(binary)
            if path:
                contenders.append((name, [path]))
            else:
                print('%s is not installed here; skipped' % name, file=sys.stderr)

        watcher = Watcher()
        time.sleep(0.5)
        results = {}
        for name, argv in contenders:
            print('measuring', name, '...', file=sys.stderr)
            results[name] = measure(name, argv, env, watcher, args.runs)
        watcher.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    floor = results['floor (AdwApplication)']
    print('%-24s %14s %10s %10s %12s %10s' % ('', 'first window s', 'ratio', 'RSS MB', 'RSS - floor',
                                              'idle ticks'))
    for name, r in results.items():
        if r is None:
            print('%-24s %14s' % (name, 'no window'))
            continue
        print('%-24s %14.3f %10.2f %10.1f %12.1f %10d' % (name, r['start'], r['start'] / floor['start'],
                                                          r['rss'], r['rss'] - floor['rss'], r['idle']))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--builddir', default=os.path.join(TOP, '_build'))
    parser.add_argument('--runs', type=int, default=3)
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
                             '--builddir', os.path.abspath(args.builddir), '--runs', str(args.runs)]).returncode)


if __name__ == '__main__':
    main()
