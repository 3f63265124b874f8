#include "delivery/sink.h"

namespace warden {

std::string Sink::Render(const Record& record) const {
  return RenderRecord(record, config_.format);
}

QueuedRecord Sink::Prepare(const Record& record) const {
  QueuedRecord q;
  q.kind = record.kind;
  q.id = record.id;
  q.time_ms = record.time_ms;
  q.severity = RecordSyslogSeverity(record);
  q.payload = Render(record);
  return q;
}

}  // namespace warden
