#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""In-call cost of Belfry's audio, beside mediastreamer2's own floor and
other softphones, in one run.

For PCMU and opus, each contender makes one call between two processes on
loopback, a WAV tone in and a WAV recording out on both sides, and the
callee is measured: CPU (user + system, from /proc/PID/stat) over a fixed
window once the call has settled, and resident memory at the end of it.

  belfry   two belfry-cli processes
  floor    two bare mediastreamer2 streams, build-aux/benchmark-media-floor.c,
           compiled here with gcc: the library's own cost for the same work
           as Belfry's stream (app/media/belfry-media-handler.c): an RTP
           session from ms_create_duplex_rtp_session(), one high-priority
           ticker per process, the features PLC, EC, VOL_SND, VOL_RCV and
           FLOW_CONTROL (the echo canceller is dropped without sound cards,
           as in Belfry), 60 ms jitter buffer, opus at 64 kbit/s with
           useinbandfec=1, telephone-event able to send and receive, the WAV
           looping, and the stream iterated and the factory's event queue
           pumped every 50 ms
  baresip  baresip (package baresip-core), auto-answer, aufile in (which
           does not loop: the tone lasts longer than the call), sndfile out
  linphone linphonec (package linphone-cli), when installed

Then 20 simultaneous PCMU calls are answered by one callee of each kind
(belfry-cli, baresip, linphonec when installed), placed by sipp (package
sip-tester) from a scenario written here: each call plays an RTP capture of
a 1 kHz tone (made here: 160-byte PCMU frames every 20 ms) after its ACK and
hangs up after 15 s. The callee plays a WAV tone and records nothing, since
belfry-cli would write all its calls into one --record file: each decodes
what it receives and drops it (belfry-cli has no sound card, and
mediastreamer2 ends the stream in a file recorder with no file open;
baresip plays into an aubridge device nobody reads; linphonec uses its file
sound card without a record file). CPU is measured over the same
window once all calls are up, RSS at its end. A tshark capture on lo checks
that every call carried audio both ways: 20 RTP flows into the RTP ports the
callee wrote in its 200 OKs and 20 out of them, each with at least 80 % of
the 50 packets a second a call of that length carries; sipp's statistics
must show no failed call. sipp sends the capture through a raw socket, so
this part needs root (or CAP_NET_RAW for sipp, and capture rights for
tshark).

Last, idle wake-ups: a callee of each kind (belfry-cli, baresip) waits
for calls, then takes one 3 s PCMU call from a caller of its own kind. The
context switches of all its threads (voluntary_ctxt_switches in
/proc/PID/task/*/status: a thread that sleeps and is woken) are counted
over 10 s before the first call, and over 10 s starting 1 s after the last
call ended. A process that runs all day in the background waiting for
calls should show 0 per second in both.

Usage: build-aux/benchmark-media.py [--idle] [BUILD_DIR]   (default: _build)
       --idle measures only the idle wake-ups
"""

import collections
import math
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import wave

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETTLE_S = 3
WINDOW_S = 10
CALL_S = SETTLE_S + WINDOW_S + 2
CODECS = [("PCMU", 8000), ("opus", 48000)]
TICKS = os.sysconf("SC_CLK_TCK")
MANY_CALLS = 20
MANY_CALL_S = 15
RTP_PACKETS_PER_S = 50
# A flow carried audio when it has this share of its call's packets.
MIN_PACKET_SHARE = 0.8
# Every process started, so that main() can end what is left on failure.
PROCESSES = []


def start(args, **options):
    process = subprocess.Popen(args, **options)
    PROCESSES.append(process)
    return process


def stop(process):
    """Ends a process that is still running: SIGTERM, then SIGKILL."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def udp_bound(port):
    """Whether a UDP socket is bound to @port, over IPv4 or IPv6 (linphonec
    listens on [::])."""
    suffix = f":{port:04X}"
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        with open(table) as f:
            if any(line.split()[1].endswith(suffix) for line in f.readlines()[1:] if line.strip()):
                return True
    return False


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


def free_port():
    """An even UDP port whose next one is free too (RTP and RTCP)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port % 2 == 0 and port < 65000:
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.bind(("127.0.0.1", port + 1))
                return port
            except OSError:
                pass
    raise RuntimeError("no free port")


def write_tone(path, rate, frequency, seconds=CALL_S + 5.0, channels=1):
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = bytearray()
        for i in range(int(rate * seconds)):
            sample = struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * i / rate)))
            frames += sample * channels
        w.writeframes(bytes(frames))


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def measure(process):
    """CPU percentage of one core over the window, and RSS in MiB."""
    time.sleep(SETTLE_S)
    if process.poll() is not None:
        return None
    start_ticks, start = cpu_ticks(process.pid), time.monotonic()
    time.sleep(WINDOW_S)
    if process.poll() is not None:
        return None
    ticks, elapsed = cpu_ticks(process.pid) - start_ticks, time.monotonic() - start
    return 100.0 * ticks / TICKS / elapsed, rss_kib(process.pid) / 1024.0


def finish(*processes):
    for p in processes:
        try:
            p.wait(timeout=CALL_S + 10)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGINT)
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def recorded(path):
    """Seconds of audio in a WAV recording, 0 when missing."""
    try:
        with wave.open(path, "rb") as w:
            return w.getnframes() / w.getframerate()
    except (OSError, EOFError, wave.Error):
        return 0.0


def run_belfry(work, codec, rate, tone):
    cli = os.path.join(BUILD, "app", "cli", "belfry-cli")
    port = free_port()
    out_a, out_b = os.path.join(work, "belfry-a.wav"), os.path.join(work, "belfry-b.wav")
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    callee = start([cli, "--listen", f"127.0.0.1:{port}", "--auto-answer",
                    "--play", tone, "--record", out_b, "--codecs", codec,
                    "--exit-after-calls", "1"], **quiet)
    time.sleep(0.5)
    caller = start([cli, "--listen", "127.0.0.1:0", "--play", tone,
                    "--record", out_a, "--codecs", codec,
                    "--duration", str(CALL_S), f"sip:bob@127.0.0.1:{port}"], **quiet)
    result = measure(callee)
    finish(caller, callee)
    return result, recorded(out_b)


def build_floor(work):
    source = os.path.join(ROOT, "build-aux", "benchmark-media-floor.c")
    program = os.path.join(work, "floor")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "mediastreamer", "ortp"],
                           check=True, capture_output=True, text=True).stdout.split()
    subprocess.run(["gcc", "-O2", "-o", program, source] + flags, check=True)
    return program


def run_floor(work, program, codec, rate, tone):
    port_a, port_b = free_port(), free_port()
    out_a, out_b = os.path.join(work, "floor-a.wav"), os.path.join(work, "floor-b.wav")
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    callee = start([program, str(port_b), str(port_a), codec, tone, out_b,
                    str(CALL_S)], **quiet)
    caller = start([program, str(port_a), str(port_b), codec, tone, out_a,
                    str(CALL_S)], **quiet)
    result = measure(callee)
    finish(caller, callee)
    return result, recorded(out_b)


def baresip_config(directory, port, tone, account):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config"), "w") as f:
        f.write(f"""poll_method epoll
sip_listen 127.0.0.1:{port}
audio_source aufile,{tone}
audio_player aubridge,nowhere
audio_alert aubridge,nowhere
snd_path {directory}
module_path /usr/lib/baresip/modules
module stdio.so
module g711.so
module opus.so
module aufile.so
module aubridge.so
module sndfile.so
module_app account.so
module_app menu.so
opus_bitrate 64000
""")
    with open(os.path.join(directory, "accounts"), "w") as f:
        f.write(account + "\n")
    with open(os.path.join(directory, "contacts"), "w") as f:
        f.write("")


def run_baresip(work, codec, rate, tone):
    baresip = shutil.which("baresip")
    if baresip is None:
        return None, 0.0
    sdp_codec = "PCMU/8000/1" if codec == "PCMU" else "opus/48000/2"
    if codec == "opus":
        # baresip's aufile wants the codec's channel count too.
        tone = os.path.join(work, "tone-stereo.wav")
        if not os.path.exists(tone):
            write_tone(tone, rate, 1000.0, channels=2)
    port_a, port_b = free_port(), free_port()
    dir_a, dir_b = os.path.join(work, f"baresip-a-{codec}"), os.path.join(work, f"baresip-b-{codec}")
    baresip_config(dir_a, port_a, tone, f"<sip:alice@127.0.0.1>;regint=0;audio_codecs={sdp_codec}")
    baresip_config(dir_b, port_b, tone,
                   f"<sip:bob@127.0.0.1>;regint=0;answermode=auto;audio_codecs={sdp_codec}")
    quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    callee = start([baresip, "-f", dir_b, "-t", str(CALL_S + 2)], cwd=dir_b, **quiet)
    time.sleep(0.5)
    caller = start([baresip, "-f", dir_a, "-t", str(CALL_S),
                    "-e", f"/dial sip:bob@127.0.0.1:{port_b}"], cwd=dir_a, **quiet)
    result = measure(callee)
    finish(caller, callee)
    # sndfile writes what the callee decoded as dump-*-dec.wav.
    seconds = max([recorded(os.path.join(dir_b, name)) for name in os.listdir(dir_b)
                   if name.endswith("-dec.wav")] or [0.0])
    return result, seconds


def run_linphone(work, codec, rate, tone):
    linphonec = shutil.which("linphonec")
    if linphonec is None:
        return None, 0.0
    home = os.path.join(work, "linphone-home")
    # Without a folder for its database, linphonec never starts its core:
    # it opens no SIP port and takes no call.
    os.makedirs(os.path.join(home, ".local", "share", "linphone"), exist_ok=True)
    env = dict(os.environ, HOME=home)
    port_a, port_b = free_port(), free_port()
    out_b = os.path.join(work, f"linphone-b-{codec}.wav")
    for name, port in (("a", port_a), ("b", port_b)):
        with open(os.path.join(work, f"linphonerc-{name}-{codec}"), "w") as f:
            f.write(f"""[sip]
sip_port={port}
sip_tcp_port=-1
[rtp]
audio_rtp_port={free_port()}
[sound]
echocancellation=0
""")
    # The order of `codec list` in linphonec 5.1: opus is 0, PCMU 3.
    index = 0 if codec == "opus" else 3
    options = dict(stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   text=True, env=env)
    callee = start([linphonec, "-c", os.path.join(work, f"linphonerc-b-{codec}"), "-a"],
                   **options)
    caller = start([linphonec, "-c", os.path.join(work, f"linphonerc-a-{codec}")],
                   **options)
    for p in (callee, caller):
        p.stdin.write(f"soundcard use files\ncodec disable all\ncodec enable {index}\n")
        p.stdin.flush()
    time.sleep(1)
    caller.stdin.write(f"call sip:bob@127.0.0.1:{port_b}\n")
    caller.stdin.flush()
    time.sleep(2)
    # play and record act on the current call.
    for p, record in ((callee, out_b), (caller, os.path.join(work, "linphone-a.wav"))):
        p.stdin.write(f"play {tone}\nrecord {record}\n")
        p.stdin.flush()
    result = measure(callee)
    for p in (caller, callee):
        try:
            p.stdin.write("terminate all\nquit\n")
            p.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass
    finish(caller, callee)
    return result, recorded(out_b)


# ---- 20 simultaneous calls ----

def ulaw(sample):
    """One 16-bit sample in G.711 u-law."""
    sign = 0x80 if sample < 0 else 0
    sample = min(abs(sample), 32635) + 0x84
    exponent, mask = 7, 0x4000
    while exponent > 0 and not sample & mask:
        exponent -= 1
        mask >>= 1
    return ~(sign | exponent << 4 | (sample >> (exponent + 3)) & 0x0F) & 0xFF


def ip_checksum(header):
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def write_rtp_pcap(path, seconds, frequency=1000.0):
    """A capture of one PCMU RTP stream of a tone, as sipp's play_pcap_audio
    takes it: Ethernet, IPv4, UDP, RTP payload type 0 with 160 bytes every
    20 ms. sipp rewrites the addresses and ports; these are placeholders."""
    source, destination = bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])
    with open(path, "wb") as f:
        # Global header: magic, version 2.4, UTC, accuracy, snap length, Ethernet.
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for n in range(int(seconds * RTP_PACKETS_PER_S)):
            payload = bytes(ulaw(int(8000 * math.sin(2 * math.pi * frequency * i / 8000)))
                            for i in range(n * 160, (n + 1) * 160))
            rtp = struct.pack("!BBHII", 0x80, 0x80 if n == 0 else 0, n & 0xFFFF, n * 160,
                              0x42656C66) + payload
            udp = struct.pack("!HHHH", 6000, 7000, 8 + len(rtp), 0) + rtp
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n & 0xFFFF, 0, 64, 17, 0,
                             source, destination)
            ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
            frame = bytes(12) + b"\x08\x00" + ip + udp
            usec = n * 20000
            f.write(struct.pack("<IIII", usec // 1000000, usec % 1000000, len(frame), len(frame)))
            f.write(frame)


# [auto_media_port] gives call N the port -mp + 4 (N - 1), which sipp also
# sends the capture from. Each call comes from a user of its own: linphonec
# refuses a call from an address that has one ringing already.
UAC_MEDIA = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench-media-uac">
  <send retrans="500">
    <![CDATA[

      INVITE sip:bench@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
      From: <sip:sipp[call_number]@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      To: <sip:bench@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 1 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [media_ip]
      t=0 0
      m=audio [auto_media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000

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
      From: <sip:sipp[call_number]@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <nop>
    <action>
      <exec play_pcap_audio="PCAP"/>
    </action>
  </nop>
  <pause milliseconds="MILLISECONDS"/>
  <send retrans="500">
    <![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
      From: <sip:sipp[call_number]@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
</scenario>
"""


def free_port_block(count):
    """An even base port such that base .. base + count are free over UDP."""
    for _ in range(100):
        base = 20000 + 2 * int.from_bytes(os.urandom(2), "little") % 10000
        sockets = []
        try:
            for port in range(base, base + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            pass
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free block of ports")


def start_capture(path, capture_filter):
    tshark = start(["tshark", "-q", "-i", "lo", "-f", capture_filter, "-w", path],
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # tshark says "Capturing on 'Loopback: lo'" once it listens.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        ready, _, _ = select.select([tshark.stderr], [], [], 0.5)
        if ready:
            line = tshark.stderr.readline()
            if "Capturing" in line:
                return tshark
            if not line:
                break
    stop(tshark)
    raise RuntimeError("tshark did not start capturing on lo")


def stop_capture(tshark):
    time.sleep(0.5)  # let the last packets reach the capture file
    tshark.send_signal(signal.SIGINT)
    try:
        tshark.wait(timeout=15)
    except subprocess.TimeoutExpired:
        stop(tshark)


def rtp_flows(path, sip_port, sipp_ports):
    """The packets of each flow into and out of the callee's RTP ports, as
    its 200 OKs wrote them, to and from sipp's media ports."""
    fields = ["tshark", "-r", path, "-d", f"udp.port=={sip_port},sip", "-T", "fields"]
    answers = subprocess.run(fields + ["-Y", "sip.Status-Code == 200 && sdp.media.port",
                                       "-e", "sdp.media.port"],
                             capture_output=True, text=True, timeout=120).stdout
    callee_ports = {int(p) for line in answers.split() for p in line.split(",") if p}
    packets = collections.Counter()
    lines = subprocess.run(fields + ["-e", "udp.srcport", "-e", "udp.dstport"],
                           capture_output=True, text=True, timeout=120).stdout
    for line in lines.splitlines():
        source, destination = (int(x) for x in line.split())
        packets[source, destination] += 1
    into = [n for (s, d), n in packets.items() if d in callee_ports and s in sipp_ports]
    out = [n for (s, d), n in packets.items() if s in callee_ports and d in sipp_ports]
    return callee_ports, into, out


def sipp_calls(stat_path):
    """Successful and failed calls in sipp's last statistics line."""
    try:
        with open(stat_path) as f:
            lines = [line.strip().split(";") for line in f if line.strip()]
        header, last = lines[0], lines[-1]
        return (int(last[header.index("SuccessfulCall(C)")]),
                int(last[header.index("FailedCall(C)")]))
    except (OSError, IndexError, ValueError):
        return 0, MANY_CALLS


def run_many(work, name, callee, sip_port):
    """sipp places MANY_CALLS calls at once to @callee, listening on
    @sip_port; returns the callee's CPU and RSS and what the calls did."""
    tag = name.replace(" ", "-")
    pcap = os.path.join(work, "tone-pcmu.pcap")
    if not os.path.exists(pcap):
        write_rtp_pcap(pcap, MANY_CALL_S)
    scenario = os.path.join(work, "uac-media.xml")
    with open(scenario, "w") as f:
        f.write(UAC_MEDIA.replace("PCAP", pcap).replace("MILLISECONDS", str(MANY_CALL_S * 1000)))

    media = free_port_block(4 * MANY_CALLS)
    sipp_ports = {media + 4 * i for i in range(MANY_CALLS)}
    capture_path = os.path.join(work, f"many-{tag}.pcap")
    stat_path = os.path.join(work, f"many-{tag}.csv")
    tshark = start_capture(capture_path, f"udp and (port {sip_port} or "
                                         f"portrange {media}-{media + 4 * MANY_CALLS})")
    sipp = start(["sipp", "-sf", scenario, "-i", "127.0.0.1", "-mi", "127.0.0.1",
                  "-mp", str(media), "-p", str(free_port()), "-nostdin",
                  "-m", str(MANY_CALLS), "-l", str(MANY_CALLS), "-r", str(MANY_CALLS),
                  "-recv_timeout", "10000", "-timeout", str(MANY_CALL_S + 45),
                  "-trace_stat", "-stf", stat_path, f"127.0.0.1:{sip_port}"],
                 cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # All calls are up within about a second of sipp's start, and last
    # MANY_CALL_S from their ACK: the window fits inside all of them.
    result = measure(callee)
    try:
        sipp.wait(timeout=MANY_CALL_S + 60)
    except subprocess.TimeoutExpired:
        stop(sipp)
    stop_capture(tshark)
    ok, failed = sipp_calls(stat_path)
    callee_ports, into, out = rtp_flows(capture_path, sip_port, sipp_ports)
    need = MIN_PACKET_SHARE * RTP_PACKETS_PER_S * MANY_CALL_S
    return result, dict(ok=ok, failed=failed, answered=len(callee_ports),
                        into=sum(1 for n in into if n >= need),
                        out=sum(1 for n in out if n >= need),
                        fewest=min(into + out) if into and out else 0)


def many_belfry(work, tone):
    port = free_port()
    callee = start([os.path.join(BUILD, "app", "cli", "belfry-cli"), "--listen", f"127.0.0.1:{port}",
                    "--auto-answer", "--codecs", "PCMU", "--play", tone,
                    "--exit-after-calls", str(MANY_CALLS)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return callee, port


def many_baresip(work, tone):
    if shutil.which("baresip") is None:
        return None, 0
    port = free_port()
    directory = os.path.join(work, "baresip-many")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config"), "w") as f:
        f.write(f"""poll_method epoll
sip_listen 127.0.0.1:{port}
sip_trans_def udp
call_max_calls 50
audio_source aufile,{tone}
audio_player aubridge,nowhere
audio_alert aubridge,nowhere
rtp_ports 20000-60000
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module aubridge.so
module_app account.so
module_app menu.so
""")
    with open(os.path.join(directory, "accounts"), "w") as f:
        f.write("<sip:bench@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMU/8000/1\n")
    with open(os.path.join(directory, "contacts"), "w") as f:
        f.write("")
    callee = start(["baresip", "-f", directory, "-t", str(MANY_CALL_S + 60)], cwd=directory,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return callee, port


def many_linphone(work, tone):
    # linphonec's -a accepts the current call: while one call runs it cannot
    # accept another, which rings until sipp gives up. Its row shows that.
    linphonec = shutil.which("linphonec")
    if linphonec is None:
        return None, 0
    port = free_port()
    home = os.path.join(work, "linphone-many")
    os.makedirs(os.path.join(home, ".local", "share", "linphone"), exist_ok=True)
    config = os.path.join(home, "linphonerc")
    with open(config, "w") as f:
        f.write(f"""[sip]
sip_port={port}
sip_tcp_port=-1
max_calls=50
[rtp]
audio_rtp_port=20000-60000
[sound]
echocancellation=0
""")
    callee = start([linphonec, "-c", config, "-a"], stdin=subprocess.PIPE,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
                   env=dict(os.environ, HOME=home))
    # The order of `codec list` in linphonec 5.1: PCMU is 3. `play` sets the
    # file every call sends from then on.
    callee.stdin.write(f"soundcard use files\ncodec disable all\ncodec enable 3\nplay {tone}\n")
    callee.stdin.flush()
    return callee, port


def run_many_contender(work, name, starter, tone):
    callee, port = starter(work, tone)
    if callee is None:
        return None, None
    try:
        wait_for(lambda: udp_bound(port), 15, f"{name} to listen")
        time.sleep(1)
        return run_many(work, name, callee, port)
    finally:
        stop(callee)


# ---- Idle wake-ups before the first call and after the last ----

IDLE_S = 10
IDLE_CALL_S = 3


def wakeups(pid):
    """Voluntary context switches of each thread of @pid, by thread id."""
    counts = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        counts[tid] = int(line.split()[1])
        except FileNotFoundError:
            pass
    return counts


def wakeups_per_s(process):
    """Wake-ups a second of all threads of @process over IDLE_S; a thread
    that ends meanwhile counts up to its last reading."""
    before = wakeups(process.pid)
    time.sleep(IDLE_S)
    after = wakeups(process.pid)
    if process.poll() is not None:
        return None
    total = sum(count - before.get(tid, 0) for tid, count in after.items())
    return total / IDLE_S, len(after)


def idle_belfry(work, tone):
    cli = os.path.join(BUILD, "app", "cli", "belfry-cli")
    port = free_port()
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    callee = start([cli, "--listen", f"127.0.0.1:{port}", "--auto-answer", "--play", tone,
                    "--codecs", "PCMU"], **quiet)

    def call():
        return start([cli, "--listen", "127.0.0.1:0", "--play", tone, "--codecs", "PCMU",
                      "--duration", str(IDLE_CALL_S), f"sip:bob@127.0.0.1:{port}"], **quiet)
    return callee, port, call


def idle_baresip(work, tone):
    if shutil.which("baresip") is None:
        return None, None, None
    port_a, port_b = free_port(), free_port()
    dir_a, dir_b = os.path.join(work, "baresip-idle-a"), os.path.join(work, "baresip-idle-b")
    baresip_config(dir_a, port_a, tone, "<sip:alice@127.0.0.1>;regint=0;audio_codecs=PCMU/8000/1")
    baresip_config(dir_b, port_b, tone,
                   "<sip:bob@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMU/8000/1")
    quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    callee = start(["baresip", "-f", dir_b], cwd=dir_b, **quiet)

    def call():
        return start(["baresip", "-f", dir_a, "-t", str(IDLE_CALL_S),
                      "-e", f"/dial sip:bob@127.0.0.1:{port_b}"], cwd=dir_a, **quiet)
    return callee, port_b, call


def run_idle(work, name, starter, tone):
    """Wake-ups a second before the first call and after the last, with
    the number of threads, or None when the contender is missing."""
    callee, port, call = starter(work, tone)
    if callee is None:
        return None
    try:
        wait_for(lambda: udp_bound(port), 15, f"{name} to listen")
        # What a program does once at start (loading, a first registration
        # attempt) is not idling.
        time.sleep(2)
        before = wakeups_per_s(callee)
        caller = call()
        caller.wait(timeout=IDLE_CALL_S + 30)
        time.sleep(1)
        after = wakeups_per_s(callee)
        return before, after
    finally:
        stop(callee)


def print_idle(rows):
    print(f"Idle wake-ups a second (all threads, voluntary context switches over {IDLE_S} s), "
          f"before the first call and from 1 s after the last one ({IDLE_CALL_S} s of PCMU):")
    print(f"{'contender':11} {'before':>8} {'threads':>8} {'after':>8} {'threads':>8}")
    for name, result in rows:
        if result is None or None in result:
            print(f"{name:11} {'n/a':>8}")
            continue
        (before, threads_before), (after, threads_after) = result
        print(f"{name:11} {before:8.1f} {threads_before:8d} {after:8.1f} {threads_after:8d}")


def main():
    global BUILD
    args = sys.argv[1:]
    idle_only = "--idle" in args
    args = [a for a in args if a != "--idle"]
    BUILD = os.path.abspath(args[0] if args else os.path.join(ROOT, "_build"))
    if not os.access(os.path.join(BUILD, "app", "cli", "belfry-cli"), os.X_OK):
        sys.exit(f"no belfry-cli in {BUILD}: build it first")

    rows = []
    many_rows = []
    idle_rows = []
    with tempfile.TemporaryDirectory(prefix="belfry-bench-media-") as work:
        try:
            tone = os.path.join(work, "tone-idle-8000.wav")
            write_tone(tone, 8000, 1000.0, seconds=IDLE_CALL_S + 30.0)
            for name, starter in (("belfry-cli", idle_belfry), ("baresip", idle_baresip)):
                print(f"measuring {name} idle...", file=sys.stderr, flush=True)
                idle_rows.append((name, run_idle(work, name, starter, tone)))
            if idle_only:
                print_idle(idle_rows)
                return
            floor = build_floor(work)
            for codec, rate in CODECS:
                tone = os.path.join(work, f"tone-{rate}.wav")
                write_tone(tone, rate, 1000.0)
                runners = (("belfry-cli", lambda: run_belfry(work, codec, rate, tone)),
                           ("ms2 floor", lambda: run_floor(work, floor, codec, rate, tone)),
                           ("baresip", lambda: run_baresip(work, codec, rate, tone)),
                           ("linphonec", lambda: run_linphone(work, codec, rate, tone)))
                for name, runner in runners:
                    print(f"measuring {name} with {codec}...", file=sys.stderr, flush=True)
                    result, audio_s = runner()
                    rows.append((codec, name, result, audio_s))

            # baresip's aufile does not loop: its tone outlasts the calls.
            tone = os.path.join(work, "tone-many-8000.wav")
            write_tone(tone, 8000, 1000.0, seconds=MANY_CALL_S + 30.0)
            for name, starter in (("belfry-cli", many_belfry), ("baresip", many_baresip),
                                  ("linphonec", many_linphone)):
                print(f"measuring {name} with {MANY_CALLS} calls...", file=sys.stderr, flush=True)
                result, calls = run_many_contender(work, name, starter, tone)
                many_rows.append((name, result, calls))
        finally:
            # Nothing may outlive the run, nor write into its folder once gone.
            for process in PROCESSES:
                stop(process)

    print(f"One call on loopback, callee measured over {WINDOW_S} s after {SETTLE_S} s; then "
          f"{MANY_CALLS} simultaneous PCMU calls from sipp, {MANY_CALL_S} s each, to one callee, "
          f"measured the same way. CPU in % of one core; ratios against the mediastreamer2 floor.")
    print(f"{'test':8} {'contender':11} {'CPU %':>7} {'RSS MiB':>8} {'CPU/floor':>10} "
          f"{'RSS/floor':>10}  check")
    for codec, name, result, audio_s in rows:
        floor_result = next(r for c, n, r, _ in rows if c == codec and n == "ms2 floor")
        check = f"{audio_s:.1f} s of audio recorded by the callee"
        if result is None:
            print(f"{codec:8} {name:11} {'n/a':>7} {'n/a':>8} {'':>10} {'':>10}  {check}")
            continue
        if audio_s < 1.0:
            name += "*"
        cpu, rss = result
        cpu_ratio = f"{cpu / floor_result[0]:.2f}" if floor_result and floor_result[0] > 0 else "-"
        rss_ratio = f"{rss / floor_result[1]:.2f}" if floor_result else "-"
        print(f"{codec:8} {name:11} {cpu:7.2f} {rss:8.1f} {cpu_ratio:>10} {rss_ratio:>10}  {check}")
    test = f"{MANY_CALLS}xPCMU"
    for name, result, calls in many_rows:
        if calls is None:
            print(f"{test:8} {name:11} {'n/a':>7} {'n/a':>8} {'':>10} {'':>10}  not installed")
            continue
        good = (calls["ok"] == MANY_CALLS and calls["failed"] == 0 and
                calls["into"] == MANY_CALLS and calls["out"] == MANY_CALLS)
        check = (f"{calls['ok']} calls ok, {calls['failed']} failed; RTP flows with audio: "
                 f"{calls['into']} in, {calls['out']} out (fewest packets {calls['fewest']})")
        if not good:
            name += "*"
        if result is None:
            print(f"{test:8} {name:11} {'died':>7} {'':>8} {'':>10} {'':>10}  {check}")
            continue
        cpu, rss = result
        print(f"{test:8} {name:11} {cpu:7.2f} {rss:8.1f} {'':>10} {'':>10}  {check}")
    print("* the calls did not all run as meant (no audio recorded, or a failed call or a "
          "stream short of packets), so its figures say little.")
    print(f"A flow has audio with at least {MIN_PACKET_SHARE:.0%} of the "
          f"{RTP_PACKETS_PER_S * MANY_CALL_S} packets of a {MANY_CALL_S} s call.")
    print()
    print_idle(idle_rows)


if __name__ == "__main__":
    main()
