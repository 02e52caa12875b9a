// base: what every component uses — Result/TRY errors, VERIFY, logging, byte and file helpers.
#pragma once

#include "base/assert.hpp"
#include "base/bytes.hpp"
#include "base/console_output.hpp"
#include "base/file.hpp"
#include "base/log.hpp"
#include "base/result.hpp"
#include "base/terminal.hpp"
