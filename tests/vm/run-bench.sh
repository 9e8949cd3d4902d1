#!/bin/sh
# SPDX-License-Identifier: MIT
# Guest side of 'make bench'.
uname -r
./axs-bench
