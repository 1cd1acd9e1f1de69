"""Measures when a victim stops and starts answering, from outside it.

echo ADDRESS PORT SECONDS: answers every UDP datagram with itself, for SECONDS.
probe ADDRESS PORT SECONDS: sends a numbered datagram every millisecond for SECONDS and prints, flushed, one line
per change: "DOWN <ms>" with the send time (epoch ms) of the first datagram never answered within 100 ms after one
was, and "UP <ms>" with the send time of the first datagram answered after that.
"""
import select
import socket
import sys
import time

mode, address, port, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
end = time.time() + seconds
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

if mode == "echo":
    sock.bind((address, port))
    sock.settimeout(0.5)
    while time.time() < end:
        try:
            data, peer = sock.recvfrom(64)
            sock.sendto(data, peer)
        except (socket.timeout, OSError):
            pass
    sys.exit(0)

sock.setblocking(False)
INTERVAL, TIMEOUT = 0.001, 0.100
sent = {}
seq = 0
answered = -1
down_seq = None
next_send = time.time()
print("READY", flush=True)
while time.time() < end:
    now = time.time()
    if now >= next_send:
        sent[seq] = now
        try:
            sock.sendto(str(seq).encode(), (address, port))
        except OSError:
            pass
        seq += 1
        next_send += INTERVAL
        if next_send < now:  # fell behind (load): do not burst
            next_send = now + INTERVAL
    ready, _, _ = select.select([sock], [], [], max(0.0, min(next_send - time.time(), INTERVAL)))
    if ready:
        while True:
            try:
                data, _ = sock.recvfrom(64)
            except (BlockingIOError, OSError):
                break
            n = int(data)
            if down_seq is not None and n > down_seq:
                print("UP %.3f" % (sent[n] * 1000), flush=True)
                down_seq = None
            answered = max(answered, n)
    if down_seq is None and answered >= 0:
        k = answered + 1
        if k in sent and time.time() - sent[k] > TIMEOUT:
            print("DOWN %.3f" % (sent[k] * 1000), flush=True)
            down_seq = k
    if seq % 1000 == 0:
        for old in [s for s in sent if s < answered - 100]:
            del sent[old]
