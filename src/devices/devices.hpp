// devices: backend-independent, non-virtio devices shared by the emulated machine and the KVM
// backend (the 16550 UART is the console on both).
#pragma once

#include "devices/uart16550.hpp"
