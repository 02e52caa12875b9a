// The `vireo` binary: parses the command line and runs the subcommand. Everything it prints on
// stderr is one line starting "vireo: ", and the exit status follows ARCHITECTURE.md.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/options.hpp"

using namespace vireo;

namespace {

// Messages may come from deep inside (a file name, an error text); keep the one-line promise even
// if one holds a newline.
void print_error(std::string text)
{
    for (char& c : text) {
        if (c == '\n' || c == '\r')
            c = ' ';
    }
    std::fprintf(stderr, "vireo: %s\n", text.c_str());
}

int vireo_main(int argc, char** argv)
{
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    auto parsed = cli::parse_command_line(args);
    if (!parsed.ok()) {
        print_error(parsed.error().text());
        return cli::EXIT_USAGE;
    }
    const cli::Invocation& inv = parsed.value();
    cli::Outcome outcome;
    switch (inv.command) {
    case cli::Command::Help:
        std::fputs(cli::help_text(inv.help_topic).c_str(), stdout);
        return 0;
    case cli::Command::Version:
        std::printf("vireo %s\n", cli::VERSION);
        return 0;
    case cli::Command::Run:
        outcome = cli::run(inv.run);
        break;
    case cli::Command::Exec:
        outcome = cli::exec(inv.exec);
        break;
    }
    std::fflush(stdout);   // the guest's console output comes before our last word
    if (!outcome.message.empty())
        print_error(outcome.message);
    return outcome.status;
}

}  // namespace

int main(int argc, char** argv)
{
    // Library code reports errors as Results; this only catches what escapes by accident
    // (std::bad_alloc, say), so the user still gets one line and status 125 rather than an abort.
    try {
        return vireo_main(argc, argv);
    } catch (const std::exception& e) {
        print_error(std::string("internal error: ") + e.what());
    } catch (...) {
        print_error("internal error");
    }
    return cli::EXIT_USAGE;
}
