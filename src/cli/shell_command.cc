// `warden shell`: the interactive SQL console over host state. Line editing
// and history come from libedit (history in $HOME/.warden_history); a
// statement may span lines and runs when it ends with ';'. Dot commands:
// .tables [PATTERN], .schema TABLE, .mode FORMAT, .timer on|off, .help, .quit.
// Ctrl-C stops the running query, not the shell. Input that is not a
// terminal is read line by line without prompts, so scripts can pipe in.
#include <editline/readline.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "cli/host_session.h"
#include "cli/terminal_table.h"
#include "cli/warden_cli.h"

namespace warden {
namespace {

std::atomic<bool> g_interrupt{false};

void OnSigint(int) { g_interrupt.store(true); }

std::string HistoryPath() {
  const char* home = std::getenv("HOME");
  return home ? std::string(home) + "/.warden_history" : std::string();
}

class Shell {
 public:
  Shell(HostSession& session, bool interactive) : session_(session), interactive_(interactive) {}

  int Run() {
    std::string history = HistoryPath();
    if (interactive_) {
      using_history();
      if (!history.empty()) read_history(history.c_str());
      std::cout << "Warden shell. Enter SQL ending with ';', or .help for commands.\n";
    }
    std::string pending;
    int status = 0;
    for (;;) {
      std::string line;
      if (!ReadLine(pending.empty() ? "warden> " : "   ...> ", &line)) break;
      if (pending.empty()) {
        std::string_view t = TrimWhitespace(line);
        if (t.empty()) continue;
        if (t.front() == '.') {
          if (interactive_) add_history(line.c_str());
          if (!DotCommand(std::string(t))) break;
          continue;
        }
      }
      pending += line;
      pending += '\n';
      if (!IsCompleteSql(pending)) continue;
      if (interactive_) {
        std::string h(TrimWhitespace(pending));
        add_history(h.c_str());
      }
      if (!RunSql(pending)) status = 2;
      pending.clear();
    }
    if (!TrimWhitespace(pending).empty() && !RunSql(pending)) status = 2;
    if (interactive_ && !history.empty()) write_history(history.c_str());
    return interactive_ ? 0 : status;
  }

 private:
  bool ReadLine(const char* prompt, std::string* out) {
    if (interactive_) {
      char* l = readline(prompt);
      if (l == nullptr) {
        std::cout << "\n";
        return false;
      }
      *out = l;
      free(l);
      return true;
    }
    return static_cast<bool>(std::getline(std::cin, *out));
  }

  bool RunSql(const std::string& sql) {
    g_interrupt.store(false);
    QueryOptions qo;
    qo.interrupt = &g_interrupt;
    auto start = std::chrono::steady_clock::now();
    auto printer = MakeRowPrinter(format_, std::cout, StdoutTableFit());
    bool begun = false;
    size_t rows = 0;
    Status st = session_.engine().QueryStream(
        sql, qo,
        [&](const std::vector<std::string>& cols) {
          if (begun) printer->End();
          printer->Begin(cols);
          begun = true;
        },
        [&](std::vector<Value>&& row) {
          printer->Row(row);
          ++rows;
        });
    if (begun) printer->End();
    if (!st.ok()) {
      std::cerr << "Error: " << st.message() << "\n";
      return false;
    }
    if (timer_) {
      auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count();
      std::cout << rows << " row(s) in " << ms << " ms\n";
    }
    return true;
  }

  // Returns false to quit.
  bool DotCommand(const std::string& text) {
    auto words = SplitWhitespace(text);
    std::string_view cmd = words[0];
    std::string arg = words.size() > 1 ? std::string(words[1]) : "";
    if (cmd == ".quit" || cmd == ".exit") return false;
    if (cmd == ".help") {
      std::cout << ".tables [TEXT]    list tables (whose name contains TEXT)\n"
                   ".schema TABLE     show a table's columns (HIDDEN ones are not in SELECT *)\n"
                   ".mode FORMAT      table, json, jsonl or csv\n"
                   ".timer on|off     print row count and time after each query\n"
                   ".quit             leave (Ctrl-D works too)\n";
    } else if (cmd == ".tables") {
      for (const TableDef* def : session_.registry().All())
        if (arg.empty() || def->schema.name.find(arg) != std::string::npos)
          std::cout << "  => " << def->schema.name << "\n";
    } else if (cmd == ".schema") {
      if (arg.empty()) {
        std::cerr << "Error: .schema needs a table name\n";
      } else if (const TableDef* def = session_.registry().Find(arg)) {
        std::cout << TableSchemaSql(def->schema) << "\n";
      } else {
        std::cerr << "Error: no such table: " << arg << "\n";
      }
    } else if (cmd == ".mode") {
      auto f = ParseOutputFormat(arg);
      if (!f) {
        std::cerr << "Error: .mode takes table, json, jsonl or csv\n";
      } else {
        format_ = *f;
      }
    } else if (cmd == ".timer") {
      timer_ = arg == "on";
    } else {
      std::cerr << "Error: unknown command " << cmd << " (try .help)\n";
    }
    return true;
  }

  HostSession& session_;
  bool interactive_;
  OutputFormat format_ = OutputFormat::kTable;
  bool timer_ = false;
};

}  // namespace

void AddShellCommand(CLI::App& app, CommandAction* action) {
  auto root = std::make_shared<std::string>("/");
  CLI::App* cmd =
      app.add_subcommand("shell", "Interactive SQL console over host state")
          ->footer("Examples:\n  warden shell\n  echo 'SELECT * FROM uptime;' | warden shell");
  cmd->add_option("--root", *root, "Read host state under this directory instead of /");
  cmd->callback([root, action]() {
    *action = [root]() -> int {
      auto session = HostSession::Open(*root);
      if (!session.ok()) return ReportError(session.status());
      struct sigaction sa {};
      sa.sa_handler = OnSigint;
      sigemptyset(&sa.sa_mask);
      sigaction(SIGINT, &sa, nullptr);
      Shell shell(**session, isatty(STDIN_FILENO) != 0);
      return shell.Run();
    };
  });
}

}  // namespace warden
