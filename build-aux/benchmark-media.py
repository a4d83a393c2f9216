#!/usr/bin/python3
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

Usage: build-aux/benchmark-media.py [BUILD_DIR]   (default: _build)
"""

import math
import os
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
    cli = os.path.join(BUILD, "app", "belfry-cli")
    port = free_port()
    out_a, out_b = os.path.join(work, "belfry-a.wav"), os.path.join(work, "belfry-b.wav")
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    callee = subprocess.Popen([cli, "--listen", f"127.0.0.1:{port}", "--auto-answer",
                               "--play", tone, "--record", out_b, "--codecs", codec,
                               "--exit-after-calls", "1"], **quiet)
    time.sleep(0.5)
    caller = subprocess.Popen([cli, "--listen", "127.0.0.1:0", "--play", tone,
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
    callee = subprocess.Popen([program, str(port_b), str(port_a), codec, tone, out_b,
                               str(CALL_S)], **quiet)
    caller = subprocess.Popen([program, str(port_a), str(port_b), codec, tone, out_a,
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
    callee = subprocess.Popen([baresip, "-f", dir_b, "-t", str(CALL_S + 2)], cwd=dir_b, **quiet)
    time.sleep(0.5)
    caller = subprocess.Popen([baresip, "-f", dir_a, "-t", str(CALL_S),
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
    os.makedirs(home, exist_ok=True)
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
    callee = subprocess.Popen([linphonec, "-c", os.path.join(work, f"linphonerc-b-{codec}"), "-a"],
                              **options)
    caller = subprocess.Popen([linphonec, "-c", os.path.join(work, f"linphonerc-a-{codec}")],
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


def main():
    global BUILD
    BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "_build"))
    if not os.access(os.path.join(BUILD, "app", "belfry-cli"), os.X_OK):
        sys.exit(f"no belfry-cli in {BUILD}: build it first")

    rows = []
    with tempfile.TemporaryDirectory(prefix="belfry-bench-media-") as work:
        floor = build_floor(work)
        for codec, rate in CODECS:
            tone = os.path.join(work, f"tone-{rate}.wav")
            write_tone(tone, rate, 1000.0)
            for name, runner in (("belfry-cli", lambda: run_belfry(work, codec, rate, tone)),
                                 ("ms2 floor", lambda: run_floor(work, floor, codec, rate, tone)),
                                 ("baresip", lambda: run_baresip(work, codec, rate, tone)),
                                 ("linphonec", lambda: run_linphone(work, codec, rate, tone))):
                print(f"measuring {name} with {codec}...", file=sys.stderr, flush=True)
                result, audio_s = runner()
                rows.append((codec, name, result, audio_s))

    print(f"One call on loopback, callee measured over {WINDOW_S} s after {SETTLE_S} s; "
          f"CPU in % of one core; ratios against the mediastreamer2 floor.")
    print(f"{'codec':6} {'contender':11} {'CPU %':>7} {'RSS MiB':>8} {'CPU/floor':>10} "
          f"{'RSS/floor':>10} {'audio in, s':>12}")
    for codec, name, result, audio_s in rows:
        floor_result = next(r for c, n, r, _ in rows if c == codec and n == "ms2 floor")
        if result is None:
            print(f"{codec:6} {name:11} {'n/a':>7} {'n/a':>8} {'':>10} {'':>10} {audio_s:12.1f}")
            continue
        if audio_s < 1.0:
            name += "*"
        cpu, rss = result
        cpu_ratio = f"{cpu / floor_result[0]:.2f}" if floor_result and floor_result[0] > 0 else "-"
        rss_ratio = f"{rss / floor_result[1]:.2f}" if floor_result else "-"
        print(f"{codec:6} {name:11} {cpu:7.2f} {rss:8.1f} {cpu_ratio:>10} {rss_ratio:>10} "
              f"{audio_s:12.1f}")
    print("* no audio was recorded on the callee: the call did not run as meant, so its figures "
          "say little.")


if __name__ == "__main__":
    main()
