#!/bin/sh
# SPDX-License-Identifier: MIT
# Guest side of 'make demo': the dual-model scenario on the simulated MI308X.
./axs-demo --seconds "${AXS_DEMO_SECONDS:-4}"
