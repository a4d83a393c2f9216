#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Signaling benchmark: belfry-cli beside baresip, in one run, on loopback.

For each user agent it measures
  - INVITE-to-200 as callee, and 200-to-ACK as caller, from a packet capture
    (tshark on lo, microsecond timestamps), median and 90th percentile;
  - calls per second sustained from sipp with no failed call;
  - CPU ticks and RSS while idle (10 s) and CPU and RSS under that load.
It prints one table with both and the ratios belfry/baresip.

Beside them runs the floor: belle-sip alone (build-aux/benchmark-sip-floor.c,
compiled here with gcc), answering every INVITE at once from its own main
loop, with no Belfry code, SDP handling or media. It is a callee only. Its
INVITE-to-200 is what belle-sip itself costs, under which belfry-cli cannot
go; the last column is belfry-cli's ratio to it.

Usage: build-aux/benchmark-sip.py [--builddir _build] [--rate 100] [--seconds 20]
It installs sip-tester, tshark and baresip-core with apt-get when missing.
"""

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import wave

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK = os.sysconf('SC_CLK_TCK')
PAGE = os.sysconf('SC_PAGE_SIZE')


def ensure_packages(packages):
    missing = [p for p in packages
               if subprocess.run(['dpkg-query', '-W', '-f=${Status}', p], capture_output=True,
                                 text=True).stdout.find('install ok installed') < 0]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ['sudo']
    print('installing', ' '.join(missing), file=sys.stderr)
    subprocess.run(sudo + ['apt-get', 'update', '-q'], check=True)
    subprocess.run(sudo + ['apt-get', 'install', '-y', '-q', '--no-install-recommends'] + missing,
                   check=True, env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))


def free_port():
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(('127.0.0.1', 0))
            port = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind(('127.0.0.1', port))
                    return port
                except OSError:
                    continue


def udp_bound(port):
    suffix = ':%04X' % port
    with open('/proc/net/udp') as f:
        return any(line.split()[1].endswith(suffix) for line in f.readlines()[1:] if line.strip())


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise RuntimeError('timed out waiting for ' + what)


def cpu_ticks(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])


def rss_mb(pid):
    with open('/proc/%d/statm' % pid) as f:
        return int(f.read().split()[1]) * PAGE / 1e6


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float('nan')
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


SDP = '''      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 1 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
'''

UAC = '''<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench-uac">
  <send retrans="500">
    <![CDATA[

      INVITE sip:bench@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
      From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      To: <sip:bench@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
''' + SDP + '''
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[

      ACK [next_url] SIP/2.0
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
      From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <send retrans="500">
    <![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
      From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
</scenario>
'''

UAS = '''<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench-uas">
  <recv request="INVITE" rrs="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="caller"/>
    </action>
  </recv>
  <send retrans="500">
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]U[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:sipp@[local_ip]:[local_port]>
''' + SDP + '''
    ]]>
  </send>
  <recv request="ACK"/>
  <pause milliseconds="100"/>
  <send retrans="500">
    <![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
      From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]U[call_number]
      To:[$caller]
      [last_Call-ID:]
      CSeq: 1 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
</scenario>
'''


class Capture:
    """tshark on lo for one UDP port; yields SIP messages with times."""

    def __init__(self, workdir, port, name):
        self.path = os.path.join(workdir, name + '.pcap')
        self.proc = subprocess.Popen(['tshark', '-q', '-i', 'lo', '-f', 'udp port %d' % port,
                                      '-w', self.path], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        # tshark says "Capturing on 'Loopback: lo'" once it listens.
        deadline = time.monotonic() + 15
        line = ''
        while time.monotonic() < deadline and 'Capturing' not in line:
            line = self.proc.stderr.readline()
            if not line and self.proc.poll() is not None:
                raise RuntimeError('tshark did not start')

    def stop(self):
        time.sleep(0.3)  # let the last packets reach the capture buffer
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=15)
        out = subprocess.run(['tshark', '-r', self.path, '-Y', 'sip', '-T', 'fields',
                              '-e', 'frame.time_epoch', '-e', 'sip.Call-ID', '-e', 'sip.Method',
                              '-e', 'sip.Status-Code', '-e', 'sip.CSeq.method',
                              '-E', 'separator=;'], capture_output=True, text=True, check=True)
        messages = []
        for line in out.stdout.splitlines():
            t, call_id, method, status, cseq_method = (line.split(';') + [''] * 5)[:5]
            messages.append((float(t), call_id, method, status, cseq_method))
        return messages


def first_times(messages, match):
    times = {}
    for t, call_id, method, status, cseq_method in messages:
        if match(method, status, cseq_method) and call_id not in times:
            times[call_id] = t
    return times


def delays_ms(messages, start, end):
    a = first_times(messages, start)
    b = first_times(messages, end)
    return [(b[c] - a[c]) * 1000 for c in a if c in b and b[c] >= a[c]]


class Agent:
    def __init__(self, name, workdir):
        self.name = name
        self.workdir = workdir
        self.proc = None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Belfry(Agent):
    def __init__(self, workdir, builddir):
        super().__init__('belfry-cli', workdir)
        self.binary = os.path.join(builddir, 'app', 'cli', 'belfry-cli')
        self.silence = os.path.join(workdir, 'silence-8k.wav')

    def callee(self, port):
        self.proc = subprocess.Popen([self.binary, '--listen', '127.0.0.1:%d' % port,
                                      '--auto-answer', '--codecs', 'PCMU', '--play', self.silence],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: udp_bound(port), 10, self.name + ' to listen')

    def caller(self, port, target, calls):
        self.proc = subprocess.Popen([self.binary, '--listen', '127.0.0.1:%d' % port, '--codecs', 'PCMU',
                                      '--play', self.silence, '--calls', str(calls), target],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.proc.wait(timeout=calls * 5 + 30)
        self.proc = None


class BelleSipFloor(Agent):
    def __init__(self, workdir, program):
        super().__init__('belle-sip floor', workdir)
        self.program = program

    def callee(self, port):
        self.proc = subprocess.Popen([self.program, str(port)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_for(lambda: udp_bound(port), 10, self.name + ' to listen')


def build_floor(workdir):
    program = os.path.join(workdir, 'belle-sip-floor')
    flags = subprocess.run(['pkg-config', '--cflags', '--libs', 'belle-sip', 'bctoolbox'],
                           check=True, capture_output=True, text=True).stdout.split()
    subprocess.run(['gcc', '-O2', '-o', program, os.path.join(TOP, 'build-aux', 'benchmark-sip-floor.c')]
                   + flags, check=True)
    return program


class Baresip(Agent):
    def __init__(self, workdir):
        super().__init__('baresip', workdir)
        self.silence = os.path.join(workdir, 'silence-8k.wav')

    def _config(self, port, auto_answer):
        cfg = os.path.join(self.workdir, 'baresip-%d' % port)
        os.makedirs(cfg, exist_ok=True)
        with open(os.path.join(cfg, 'config'), 'w') as f:
            f.write('\n'.join([
                'poll_method epoll',
                'sip_listen 127.0.0.1:%d' % port,
                'sip_trans_def udp',
                'audio_player aufile,%s' % os.path.join(cfg, 'out.wav'),
                'audio_source aufile,%s' % self.silence,
                'audio_alert aufile,%s' % os.path.join(cfg, 'alert.wav'),
                'rtp_ports 40000-60000',
                'module_path /usr/lib/baresip/modules',
                'module g711.so',
                'module aufile.so',
                'module_app account.so',
                'module_app menu.so',
                '']))
        with open(os.path.join(cfg, 'accounts'), 'w') as f:
            f.write('<sip:bench@127.0.0.1>;regint=0;audio_codecs=PCMU%s\n'
                    % (';answermode=auto' if auto_answer else ''))
        return cfg

    def callee(self, port):
        cfg = self._config(port, True)
        self.proc = subprocess.Popen(['baresip', '-f', cfg], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: udp_bound(port), 10, self.name + ' to listen')

    def caller(self, port, target, calls):
        # baresip places one call per process run here: -e dials, and the
        # scenario's BYE ends the call; -t bounds each run.
        cfg = self._config(port, False)
        for _ in range(calls):
            p = subprocess.Popen(['baresip', '-f', cfg, '-t', '2', '-e', '/dial ' + target],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            p.wait(timeout=30)


def sipp(workdir, scenario, port, extra, remote=None, timeout=300):
    path = os.path.join(workdir, scenario)
    args = ['sipp', '-sf', path, '-i', '127.0.0.1', '-p', str(port), '-nostdin', '-trace_stat',
            '-stf', os.path.join(workdir, scenario + '.%d.csv' % port)] + extra
    if remote:
        args.append(remote)
    return subprocess.Popen(args, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def failed_calls(workdir, scenario, port):
    path = os.path.join(workdir, scenario + '.%d.csv' % port)
    with open(path) as f:
        lines = [l.strip().split(';') for l in f if l.strip()]
    header, last = lines[0], lines[-1]
    get = lambda name: int(last[header.index(name)])
    return get('FailedCall(C)'), get('SuccessfulCall(C)')


def measure(agent, workdir, rate, seconds, calls_latency):
    r = {}
    port = free_port()

    # Idle
    agent.callee(port)
    pid = agent.proc.pid
    time.sleep(2)
    t0 = cpu_ticks(pid)
    time.sleep(10)
    r['idle_ticks'] = cpu_ticks(pid) - t0
    r['idle_rss'] = rss_mb(pid)

    # INVITE-to-200 as callee, paced so the calls do not overlap
    cap = Capture(workdir, port, agent.name + '-callee')
    sp = sipp(workdir, 'bench-uac.xml', free_port(), ['-m', str(calls_latency), '-r', '20', '-l', '1'],
              '127.0.0.1:%d' % port)
    sp.wait(timeout=calls_latency + 60)
    msgs = cap.stop()
    d = delays_ms(msgs, lambda m, s, c: m == 'INVITE', lambda m, s, c: s == '200' and c == 'INVITE')
    r['invite_200_median'] = statistics.median(d) if d else float('nan')
    r['invite_200_p90'] = percentile(d, 0.9)
    r['invite_200_n'] = len(d)

    # Load
    sport = free_port()
    t0 = cpu_ticks(pid)
    start = time.monotonic()
    peak = 0.0
    sp = sipp(workdir, 'bench-uac.xml', sport, ['-m', str(rate * seconds), '-r', str(rate),
                                                 '-l', str(rate * 4), '-recv_timeout', '10000'],
              '127.0.0.1:%d' % port)
    while sp.poll() is None and time.monotonic() - start < seconds + 60:
        peak = max(peak, rss_mb(pid))
        time.sleep(0.5)
    if sp.poll() is None:
        sp.kill()
    elapsed = time.monotonic() - start
    r['load_cpu'] = 100.0 * (cpu_ticks(pid) - t0) / TICK / elapsed
    r['load_rss'] = peak
    failed, ok = failed_calls(workdir, 'bench-uac.xml', sport)
    r['load_failed'] = failed
    r['load_ok'] = ok
    r['load_cps'] = ok / elapsed
    agent.stop()

    # 200-to-ACK as caller
    if not hasattr(agent, 'caller'):
        return r
    uport = free_port()
    cap = Capture(workdir, uport, agent.name + '-caller')
    sp = sipp(workdir, 'bench-uas.xml', uport, ['-m', str(calls_latency)])
    wait_for(lambda: udp_bound(uport), 10, 'sipp to listen')
    agent.caller(free_port(), 'sip:sipp@127.0.0.1:%d' % uport, calls_latency)
    try:
        sp.wait(timeout=30)
    except subprocess.TimeoutExpired:
        sp.kill()
    msgs = cap.stop()
    d = delays_ms(msgs, lambda m, s, c: s == '200' and c == 'INVITE', lambda m, s, c: m == 'ACK')
    r['ok_ack_median'] = statistics.median(d) if d else float('nan')
    r['ok_ack_p90'] = percentile(d, 0.9)
    r['ok_ack_n'] = len(d)
    return r


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--builddir', default=os.path.join(TOP, '_build'))
    parser.add_argument('--rate', type=int, default=100, help='calls per second under load')
    parser.add_argument('--seconds', type=int, default=20, help='how long the load lasts')
    parser.add_argument('--calls', type=int, default=30, help='calls for the latency figures')
    args = parser.parse_args()

    ensure_packages(['sip-tester', 'tshark', 'baresip-core'])
    if not os.path.exists(os.path.join(args.builddir, 'app', 'cli', 'belfry-cli')):
        subprocess.run(['meson', 'setup', args.builddir], cwd=TOP, check=False)
        subprocess.run(['meson', 'compile', '-C', args.builddir], cwd=TOP, check=True)

    workdir = tempfile.mkdtemp(prefix='belfry-bench-')
    try:
        with open(os.path.join(workdir, 'bench-uac.xml'), 'w') as f:
            f.write(UAC)
        with open(os.path.join(workdir, 'bench-uas.xml'), 'w') as f:
            f.write(UAS)
        with wave.open(os.path.join(workdir, 'silence-8k.wav'), 'wb') as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b'\0\0' * 8000)

        results = {}
        floor = build_floor(workdir)
        for agent in (Belfry(workdir, args.builddir), BelleSipFloor(workdir, floor), Baresip(workdir)):
            print('measuring', agent.name, '...', file=sys.stderr)
            try:
                results[agent.name] = measure(agent, workdir, args.rate, args.seconds, args.calls)
            finally:
                agent.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    b, s = results['belfry-cli'], results['baresip']
    rows = [
        ('INVITE-to-200 as callee, median (ms)', 'invite_200_median', '%.3f'),
        ('INVITE-to-200 as callee, p90 (ms)', 'invite_200_p90', '%.3f'),
        ('200-to-ACK as caller, median (ms)', 'ok_ack_median', '%.3f'),
        ('200-to-ACK as caller, p90 (ms)', 'ok_ack_p90', '%.3f'),
        ('calls answered under %d calls/s' % args.rate, 'load_ok', '%d'),
        ('failed calls under load', 'load_failed', '%d'),
        ('calls/s sustained', 'load_cps', '%.1f'),
        ('CPU under load (%% of a core)', 'load_cpu', '%.1f'),
        ('RSS under load, peak (MB)', 'load_rss', '%.1f'),
        ('CPU ticks while idle, 10 s', 'idle_ticks', '%d'),
        ('RSS while idle (MB)', 'idle_rss', '%.1f'),
    ]
    f = results['belle-sip floor']
    print('%-40s %12s %12s %12s %8s %8s' % ('', 'belfry-cli', 'baresip', 'belle-sip', 'ratio', 'ratio'))
    print('%-40s %12s %12s %12s %8s %8s' % ('', '', '', 'floor', 'baresip', 'floor'))

    def ratio(x, y):
        return '%.2f' % (x / y) if y else '-'

    for label, key, fmt in rows:
        floor_value = f.get(key)
        print('%-40s %12s %12s %12s %8s %8s' % (
            label, fmt % b[key], fmt % s[key], fmt % floor_value if floor_value is not None else '-',
            ratio(b[key], s[key]), ratio(b[key], floor_value) if floor_value is not None else '-'))
    print('(latency samples: belfry %d/%d, baresip %d/%d)' % (b['invite_200_n'], b['ok_ack_n'],
                                                              s['invite_200_n'], s['ok_ack_n']))


if __name__ == '__main__':
    main()
