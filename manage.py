#!/usr/bin/env python
"""Django's usual entry point; `hubbub` (hubbub/cli.py) does the same with friendlier names."""

from hubbub.cli import main

if __name__ == "__main__":
    main()
