"""Benchmarks: `python -m bench` measures Hubbub's code beside the plain baseline it wraps.

Each benchmark runs the baseline and ours in the same process, interleaved, and prints a
table with both figures and the overhead in %. Everything runs on this machine: the only
sockets opened are to a server on 127.0.0.1.
"""
