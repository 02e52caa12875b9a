// memory: guest RAM and bounds-checked access to it.
#pragma once

#include "memory/guest_memory.hpp"
