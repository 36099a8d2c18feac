// Help for one subcommand (`hfbatch classify --help`), cut from the CLI's full usage text so that the
// options are written once.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace hfbatch::cli {

// From `usage` (the full text: a "usage:" paragraph with one line per command, then paragraphs that start
// with "options (<commands>...)" or "distributed"), the help of `command`: its usage line, the option
// paragraphs naming it, and "distributed" for the jobs (classify, embed, tokenize). Empty when `usage` has
// no line for `command`.
std::string command_help(std::string_view usage, std::string_view command);

// True when argv asks for help (--help or -h anywhere).
bool wants_help(const std::vector<std::string>& argv);

}  // namespace hfbatch::cli
