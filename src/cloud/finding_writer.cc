#include "cloud/finding_writer.h"

#include "core/output_format.h"
#include "core/time_format.h"

namespace warden {

std::optional<FindingFormat> ParseFindingFormat(std::string_view name) {
  if (name == "jsonl" || name == "ndjson") return FindingFormat::kJsonl;
  if (name == "json") return FindingFormat::kJson;
  if (name == "ocsf") return FindingFormat::kOcsf;
  if (name == "table" || name == "pretty") return FindingFormat::kTable;
  return std::nullopt;
}

FindingWriter::~FindingWriter() { Finish(); }

void FindingWriter::Write(const Finding& f) {
  // dump(): invalid UTF-8 in an event must not abort the output.
  constexpr auto kReplace = Json::error_handler_t::replace;
  switch (format_) {
    case FindingFormat::kJsonl:
      AppendFindingJson(f, &pending_);
      pending_ += '\n';
      break;
    case FindingFormat::kOcsf:
      pending_ += FindingToOcsf(f, OcsfClass::kDetectionFinding).dump(-1, ' ', false, kReplace);
      pending_ += '\n';
      break;
    case FindingFormat::kJson:
      pending_ += written_ == 0 ? "[\n  " : ",\n  ";
      AppendFindingJson(f, &pending_);
      break;
    case FindingFormat::kTable: {
      auto attr = [&](const char* key) -> std::string {
        auto it = f.attributes.find(key);
        if (it == f.attributes.end() || !it->is_string()) return "";
        return it->get<std::string>();
      };
      std::string rule = f.rule_id;
      if (auto it = f.attributes.find("matched_patterns");
          it != f.attributes.end() && it->is_array()) {
        rule += " rows ";
        for (size_t i = 0; i < it->size(); ++i)
          rule += (i ? "," : "") + std::to_string((*it)[i].get<int>());
      }
      if (f.attributes.contains("suppressed")) rule += " (suppressed)";
      rows_.push_back({attr("event_time"), std::string(RiskLevelDisplayName(f.risk_level)), rule,
                       attr("event_name"), attr("actor"), attr("account"), attr("region"),
                       attr("event_id")});
      break;
    }
  }
  ++written_;
  if (pending_.size() >= kFlushBytes) WritePending();
}

void FindingWriter::WritePending() {
  out_.write(pending_.data(), static_cast<std::streamsize>(pending_.size()));
  pending_.clear();
}

void FindingWriter::Flush() {
  WritePending();
  if (format_ == FindingFormat::kTable && !rows_.empty()) {
    TableFit fit;
    fit.max_width = table_width_;
    fit.hints = {{"time", 2, 20},  {"risk", 3},    {"rule", 3, 16}, {"event", 1, 14},
                 {"actor", 2, 16}, {"account", 0}, {"region", -1},  {"event_id", -2}};
    fit.note_shown = &fit_note_shown_;
    auto printer = MakeRowPrinter(OutputFormat::kTable, out_, std::move(fit));
    printer->Begin({"time", "risk", "rule", "event", "actor", "account", "region", "event_id"});
    for (auto& r : rows_) {
      std::vector<Value> row;
      for (auto& cell : r) row.emplace_back(std::move(cell));
      printer->Row(row);
    }
    printer->End();
    rows_.clear();
  }
  out_.flush();
}

void FindingWriter::Finish() {
  if (finished_) return;
  finished_ = true;
  if (format_ == FindingFormat::kJson) pending_ += written_ == 0 ? "[]\n" : "\n]\n";
  Flush();
}

}  // namespace warden
