// The crontab table: scheduled jobs from /etc/crontab and the files in
// /etc/cron.d/, /var/spool/cron/ (Red Hat user crontabs),
// /var/spool/cron/crontabs/ (Debian user crontabs) and /var/at/tabs/ (BSD),
// as osquery reads them. One row per job line; blank lines, comments and
// variable assignments (SHELL=/bin/sh: too few fields to be a job) give none.
//
// Columns follow osquery: the five schedule fields as written ("*/5", "1-5",
// "mon"), or, for "@reboot"/"@daily"-style lines, event set and the five
// fields NULL. command is everything after the schedule, so in system
// crontabs (/etc/crontab, /etc/cron.d) it begins with the user field, as in
// osquery; like osquery, its words are joined with single spaces (tabs and
// runs of blanks, even inside quotes, become one space) so that queries
// written against osquery's values match. Not evaluated: run-parts targets
// (/etc/cron.daily...), anacrontab, systemd timers.
//
// Although user crontabs belong to their users, none of these directories
// is a place a user can write: /etc/cron.d is root's, and the spools are
// root's (Red Hat, BSD) or writable only by the crontab group through the
// setgid crontab(1) (Debian, mode 1730), so a user cannot plant a link or a
// FIFO there. The files are read with HostFs::ReadFile, which still refuses
// FIFOs, sockets and devices, rather than under the user-area rule, whose
// owner check would need every spool file's account in /etc/passwd
// (directory-service accounts are not) and would buy nothing here.
#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.h"
#include "tables/user_tables.h"

namespace warden {

namespace {

constexpr const char* kCronDirs[] = {"/etc/cron.d", "/var/at/tabs", "/var/spool/cron",
                                     "/var/spool/cron/crontabs"};

bool IsCronBlank(char c) { return c == ' ' || c == '\t'; }

// Splits off the first word of s (after blanks); s is left after the word.
std::string_view NextWord(std::string_view* s) {
  size_t i = 0;
  while (i < s->size() && IsCronBlank((*s)[i])) ++i;
  size_t start = i;
  while (i < s->size() && !IsCronBlank((*s)[i])) ++i;
  std::string_view word = s->substr(start, i - start);
  s->remove_prefix(i);
  return word;
}

void AddCronLine(std::string_view path, std::string_view line, RowWriter& out) {
  std::string_view rest = line;
  std::string_view first = NextWord(&rest);
  static constexpr const char* kFields[] = {"minute", "hour", "day_of_month", "month",
                                            "day_of_week"};
  std::string_view fields[5];
  std::string_view event;
  if (first.front() == '@') {
    event = first;
  } else {
    fields[0] = first;
    for (size_t i = 1; i < 5; ++i) fields[i] = NextWord(&rest);
  }
  std::string command;
  for (std::string_view word = NextWord(&rest); !word.empty(); word = NextWord(&rest)) {
    if (!command.empty()) command.push_back(' ');
    command.append(word);
  }
  if (command.empty()) return;  // not a job: a variable, or a malformed line
  Row& row = out.Add();
  if (!event.empty()) row.Set("event", event);
  if (event.empty())
    for (size_t i = 0; i < 5; ++i) row.Set(kFields[i], fields[i]);
  row.Set("command", command);
  row.Set("path", path);
}

void AddCronFile(const QueryContext& ctx, const std::string& path, RowWriter& out) {
  auto text = ctx.fs().ReadFile(path);
  if (!text.ok()) return;
  for (std::string_view line : SplitString(*text, '\n')) {
    line = TrimWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    AddCronLine(path, line, out);
  }
}

}  // namespace

void RegisterCrontabTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "crontab",
          "Scheduled jobs from system and user crontabs.",
          {{"event", ColumnType::kText, kNone, "", "The job @event name (rare)"},
           {"minute", ColumnType::kText, kNone, "", "The exact minute for the job"},
           {"hour", ColumnType::kText, kNone, "", "The hour of the day for the job"},
           {"day_of_month", ColumnType::kText, kNone, "", "The day of the month for the job"},
           {"month", ColumnType::kText, kNone, "", "The month of the year for the job"},
           {"day_of_week", ColumnType::kText, kNone, "", "The day of the week for the job"},
           {"command", ColumnType::kText, kNone, "", "Raw command string"},
           {"path", ColumnType::kText, kNone, "", "File parsed"},
           {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional | kEchoInput, "",
            "Pids that contain a namespace (accepted, not used)"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        AddCronFile(ctx, "/etc/crontab", out);
        for (const char* dir : kCronDirs) {
          if (ctx.Cancelled()) break;
          auto names = ctx.fs().ListDir(dir);
          if (!names.ok()) continue;
          std::sort(names->begin(), names->end());
          for (const std::string& name : *names) {
            std::string path = std::string(dir) + "/" + name;
            auto st = ctx.fs().Stat(path);
            if (!st.ok() || !S_ISREG(st->st_mode)) continue;  // e.g. /var/spool/cron/crontabs
            AddCronFile(ctx, path, out);
          }
        }
        return Status::Ok();
      });
}

}  // namespace warden
