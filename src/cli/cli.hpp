// cli: the `vireo` command line — option parsing (options.hpp) and the subcommands (commands.hpp).
#pragma once

#include "cli/commands.hpp"
#include "cli/options.hpp"
