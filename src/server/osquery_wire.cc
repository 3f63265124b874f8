#include "server/osquery_wire.h"

#include <limits>
#include <map>
#include <set>
#include <utility>

#include "core/encoding.h"
#include "server/http_json.h"

namespace warden::server {
namespace {

constexpr std::string_view kQueryNamePrefix = "warden-cmd-";

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A string member, or "" when absent or not a string.
std::string Member(const Json& object, std::string_view key) {
  if (!object.is_object()) return "";
  auto it = object.find(std::string(key));
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// host_details' rows: each an object of strings; anything else is empty.
Json Row(const Json& details, std::string_view table) {
  if (!details.is_object()) return Json::object();
  auto it = details.find(std::string(table));
  return it != details.end() && it->is_object() ? *it : Json::object();
}

std::string Trim(const std::string& s) {
  const char* space = " \t\r\n";
  size_t start = s.find_first_not_of(space);
  if (start == std::string::npos) return "";
  size_t end = s.find_last_not_of(space);
  return s.substr(start, end - start + 1);
}

// Cuts identity text to what the hosts table keeps sensibly.
std::string Bounded(std::string s, size_t max_bytes = 256) {
  if (s.size() > max_bytes) s.resize(max_bytes);
  return s;
}

// An integer member, accepting osquery's numbers as integers or decimal
// strings (unixTime is a number, older versions wrote some as strings).
std::optional<int64_t> IntegerOf(const Json& value) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() &&
        value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return std::nullopt;
    return value.get<int64_t>();
  }
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    return std::stoll(s);
  }
  return std::nullopt;
}

}  // namespace

HttpResponse OsqueryErrorResponse(int status, std::string_view message, bool node_invalid) {
  return JsonResponse(status,
                      Json{{"error", std::string(message)}, {"node_invalid", node_invalid}});
}

HttpResponse OsqueryErrorResponse(const api::ApiError& error) {
  std::string message = error.message;
  if (!error.field.empty() && message.find(error.field) == std::string::npos)
    message = error.field + ": " + message;
  return OsqueryErrorResponse(error.http_status, message, error.http_status == 401);
}

Result<OsqueryEnrollment> ParseOsqueryEnrollment(const Json& body) {
  if (!body.is_object())
    return Status(StatusCode::kInvalidArgument, "the body is not a JSON object");
  OsqueryEnrollment e;
  auto secret = body.find("enroll_secret");
  if (secret == body.end() || !secret->is_string())
    return Status(StatusCode::kInvalidArgument, "enroll_secret: a string is required");
  e.enroll_secret = Trim(secret->get<std::string>());
  e.host_identifier = Bounded(Trim(Member(body, "host_identifier")));
  if (e.host_identifier.empty())
    return Status(StatusCode::kInvalidArgument, "host_identifier: a non-empty string is required");
  e.platform_type = Bounded(Member(body, "platform_type"), 16);
  const Json details = body.value("host_details", Json::object());
  const Json os = Row(details, "os_version");
  const Json osquery = Row(details, "osquery_info");
  const Json system = Row(details, "system_info");
  e.machine_id = Bounded(Trim(Member(system, "uuid")));
  if (e.machine_id.empty()) e.machine_id = Bounded(Trim(Member(osquery, "uuid")));
  if (e.machine_id.empty()) e.machine_id = e.host_identifier;
  e.instance_id = Bounded(Trim(Member(osquery, "instance_id")));
  e.hostname = Bounded(Trim(Member(system, "hostname")));
  if (e.hostname.empty()) e.hostname = e.host_identifier;
  e.os_name = Bounded(Member(os, "name"));
  e.os_version = Bounded(Member(os, "version"));
  e.os_id = Bounded(Member(os, "platform"), 64);
  e.os_codename = Bounded(Member(os, "codename"), 64);
  e.arch = Bounded(Member(system, "cpu_type"), 64);
  e.osquery_version = Bounded(Member(osquery, "version"), 64);
  return e;
}

Result<OsqueryLogBatch> ParseOsqueryLogBatch(const Json& body) {
  if (!body.is_object())
    return Status(StatusCode::kInvalidArgument, "the body is not a JSON object");
  OsqueryLogBatch batch;
  const std::string type = Member(body, "log_type");
  if (type == "result") {
    batch.type = OsqueryLogType::kResult;
  } else if (type == "status") {
    batch.type = OsqueryLogType::kStatus;
  } else {
    return Status(StatusCode::kInvalidArgument, "log_type: must be result or status");
  }
  auto data = body.find("data");
  if (data == body.end() || !data->is_array())
    return Status(StatusCode::kInvalidArgument, "data: an array of log lines is required");
  for (const Json& line : *data) {
    if (line.is_object()) {
      batch.lines.push_back(line);
    } else {
      ++batch.skipped;
    }
  }
  return batch;
}

Json OsqueryResultRecordBatch(const std::vector<Json>& lines, int64_t* skipped) {
  Json records = Json::array();
  std::map<std::string, int64_t> seen;
  std::string all;
  for (const Json& line : lines) {
    auto name = line.find("name");
    if (name == line.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
      if (skipped) ++*skipped;
      continue;
    }
    const std::string text = Dump(line);
    const std::string digest = Sha256Hex(text).substr(0, 48);
    const int64_t occurrence = seen[digest]++;
    all += digest;
    int64_t time_ms = 0;
    if (auto unix_time = line.find("unixTime"); unix_time != line.end()) {
      std::optional<int64_t> seconds = IntegerOf(*unix_time);
      if (seconds && *seconds >= 0 && *seconds < std::numeric_limits<int64_t>::max() / 1000)
        time_ms = *seconds * 1000;
    }
    records.push_back({{"id", "osq-" + digest + "-" + std::to_string(occurrence)},
                       {"kind", "results"},
                       {"time_ms", time_ms},
                       {"body", line}});
  }
  return Json{{"batch_id", "osquery-" + Sha256Hex(all).substr(0, 32)},
              {"records", std::move(records)}};
}

Result<std::vector<OsqueryQueryAnswer>> ParseOsqueryDistributedWrite(std::string_view body) {
  // ordered_json keeps each row's members in osquery's column order.
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Status(StatusCode::kInvalidArgument, "the body is not a JSON object");
  auto object_member = [&](const char* key) -> Result<const nlohmann::ordered_json*> {
    auto it = doc.find(key);
    if (it == doc.end()) return static_cast<const nlohmann::ordered_json*>(nullptr);
    if (!it->is_object())
      return Status(StatusCode::kInvalidArgument, std::string(key) + ": must be an object");
    return &*it;
  };
  ASSIGN_OR_RETURN(const nlohmann::ordered_json* queries, object_member("queries"));
  ASSIGN_OR_RETURN(const nlohmann::ordered_json* statuses, object_member("statuses"));
  ASSIGN_OR_RETURN(const nlohmann::ordered_json* messages, object_member("messages"));
  ASSIGN_OR_RETURN(const nlohmann::ordered_json* stats, object_member("stats"));

  std::vector<OsqueryQueryAnswer> answers;
  std::map<std::string, size_t> index;
  auto answer_for = [&](const std::string& name) -> OsqueryQueryAnswer& {
    auto [it, added] = index.emplace(name, answers.size());
    if (added) {
      OsqueryQueryAnswer answer;
      answer.name = name;
      answers.push_back(std::move(answer));
    }
    return answers[it->second];
  };
  if (queries) {
    for (const auto& [name, rows] : queries->items()) {
      const std::string where = "queries/" + name.substr(0, 128);
      // osquery sends "" for a query that failed before it had rows.
      if (rows.is_string() && rows.get_ref<const std::string&>().empty()) {
        answer_for(name);
        continue;
      }
      if (!rows.is_array())
        return Status(StatusCode::kInvalidArgument, where + ": must be an array of rows");
      OsqueryQueryAnswer& answer = answer_for(name);
      std::set<std::string> known(answer.columns.begin(), answer.columns.end());
      for (size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i];
        if (!row.is_object())
          return Status(StatusCode::kInvalidArgument,
                        where + "/" + std::to_string(i) + ": a row must be an object");
        Json stored = Json::object();
        for (const auto& [column, value] : row.items()) {
          if (value.is_structured())
            return Status(StatusCode::kInvalidArgument, where + "/" + std::to_string(i) + "/" +
                                                            column.substr(0, 128) +
                                                            ": a value must be a string");
          if (known.insert(column).second) answer.columns.push_back(column);
          stored[column] = Json::parse(value.dump(), nullptr, false);
        }
        answer.rows.push_back(Dump(stored));
      }
    }
  }
  if (statuses) {
    for (const auto& [name, status] : statuses->items()) {
      std::optional<int64_t> code;
      if (status.is_number_integer()) {
        code = status.get<int64_t>();
      } else if (status.is_string()) {
        code = IntegerOf(Json(status.get<std::string>()));
      }
      if (!code)
        return Status(StatusCode::kInvalidArgument,
                      "statuses/" + name.substr(0, 128) + ": must be an integer");
      answer_for(name).status = *code;
    }
  }
  if (messages) {
    for (const auto& [name, message] : messages->items()) {
      if (!message.is_string())
        return Status(StatusCode::kInvalidArgument,
                      "messages/" + name.substr(0, 128) + ": must be a string");
      auto it = index.find(name);
      if (it != index.end()) answers[it->second].message = message.get<std::string>();
    }
  }
  if (stats) {
    for (const auto& [name, stat] : stats->items()) {
      auto it = index.find(name);
      if (it == index.end() || !stat.is_object()) continue;
      auto wall = stat.find("wall_time_ms");
      if (wall != stat.end() && wall->is_number_integer() && wall->get<int64_t>() >= 0)
        answers[it->second].wall_time_ms = wall->get<int64_t>();
    }
  }
  return answers;
}

std::string OsqueryQueryName(int64_t command_id) {
  return std::string(kQueryNamePrefix) + std::to_string(command_id);
}

std::optional<int64_t> CommandIdOfOsqueryQuery(std::string_view name) {
  if (name.substr(0, kQueryNamePrefix.size()) != kQueryNamePrefix) return std::nullopt;
  std::string_view digits = name.substr(kQueryNamePrefix.size());
  if (digits.empty() || digits.size() > 18 ||
      digits.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  int64_t id = std::stoll(std::string(digits));
  if (id <= 0) return std::nullopt;
  return id;
}

}  // namespace warden::server
