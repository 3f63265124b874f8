// Notification channels: where the server sends problem events and audit
// entries (Slack, signed webhook, syslog, Splunk HEC, file), each with its
// type's settings as a JSON object, its secret (the Slack webhook URL, the
// webhook signing key, the HEC token) kept apart from those settings so that
// nothing rendering a channel can show it, its triggers as a JSON object,
// and its delivery account: when it last delivered, when and why it last
// failed, and how many records it delivered and how many attempts failed.
// The store keeps what it is given: checking settings and triggers against
// the channel's type, and delivering, are the server's (channel_settings.h,
// channel_delivery.h). Reads are thread-safe; writes run inside a store
// transaction (see store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

// The stored part of a channel's delivery status. The state is "idle"
// (nothing attempted yet), "ok" (the last attempt delivered) or "failing"
// (the last attempt failed); "disabled" is not stored but read from the
// channel's `enabled`.
struct ChannelDelivery {
  std::string state = "idle";
  std::optional<EpochMs> last_success_at;
  std::optional<EpochMs> last_error_at;
  std::optional<std::string> last_error;
  int64_t delivered = 0;  // records the receiver acknowledged
  int64_t failed = 0;     // delivery attempts that failed
};

struct Channel {
  int64_t id = 0;
  std::string name;
  std::string type;  // the spec's ChannelType: slack, webhook, syslog, splunk_hec, file
  bool enabled = true;
  std::string config_json = "{}";     // the type's settings, never the secret
  std::optional<std::string> secret;  // never rendered
  std::string triggers_json = "{}";
  EpochMs created_at = 0;
  EpochMs updated_at = 0;
  ChannelDelivery delivery;
};

struct NewChannel {
  std::string name;  // required, unique
  std::string type;  // required
  bool enabled = true;
  std::string config_json = "{}";  // a JSON object
  std::optional<std::string> secret;
  std::string triggers_json = "{}";  // a JSON object
  EpochMs created_at = 0;
};

// What an update changes; members left unset keep their value.
struct ChannelChange {
  std::optional<std::string> name;
  std::optional<bool> enabled;
  std::optional<std::string> config_json;
  std::optional<std::optional<std::string>> secret;  // set to nullopt: removed
  std::optional<std::string> triggers_json;
  EpochMs updated_at = 0;
};

struct ChannelUpdate {
  std::optional<Channel> channel;
  bool name_taken = false;
};

// One or more delivery attempts to add to a channel's account.
struct DeliveryOutcome {
  EpochMs at = 0;
  bool ok = false;        // the latest attempt delivered
  int64_t delivered = 0;  // records acknowledged (added to the count)
  int64_t failed = 0;     // failed attempts (added to the count)
  std::string error;      // why the latest attempt failed, when !ok
};

// Fields: id, name, type, created_at (sortable; default name); type,
// delivery_state (text, equality), enabled (boolean).
const ListSchema& ChannelListSchema();

class ChannelRepository {
 public:
  virtual ~ChannelRepository() = default;
  virtual Result<std::optional<Channel>> Get(int64_t id) = 0;
  virtual Result<ListPage<Channel>> List(const ListQuery& query) = 0;
  virtual Status Export(const ListQuery& query, const RowCallback<Channel>& row) = 0;
};

class ChannelWriter {
 public:
  virtual ~ChannelWriter() = default;
  virtual Result<std::optional<Channel>> Get(int64_t id) = 0;
  // nullopt when the name is taken. InvalidArgument when the name or type is
  // empty or the config or triggers are not JSON objects.
  virtual Result<std::optional<Channel>> Create(const NewChannel& channel) = 0;
  // The channel after the change (nullopt when there is no such channel),
  // or, with nothing changed, name_taken when the new name is another's.
  virtual Result<ChannelUpdate> Update(int64_t id, const ChannelChange& change) = 0;
  // False when there was no such channel.
  virtual Result<bool> Delete(int64_t id) = 0;
  // Adds attempts to the channel's delivery account: the counts grow, the
  // state and the last success or error move only forward in time (an
  // outcome older than the stored one only adds its counts). False when
  // there is no such channel (deleted meanwhile).
  virtual Result<bool> RecordDelivery(int64_t id, const DeliveryOutcome& outcome) = 0;
};

}  // namespace warden::store
