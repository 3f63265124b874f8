// `warden query --server URL --hosts TARGETS "SQL"`: runs a live query
// (campaign) on the control-plane server's hosts instead of this host, shows
// its progress on stderr, then prints every host's rows in the same formats
// as a local query, with the host's name as the first column. Hosts that
// failed (a SQL error there, a budget overrun, offline, no answer in time)
// are listed on stderr with their message; a result the server cut at its
// bound says so. It polls the API (getLiveQuery about four times a second,
// then the stored rows page by page), so it needs no streaming client and
// memory stays at one page. Not here: the SQL (the agents run it).
#pragma once

#include <string>
#include <vector>

namespace warden {

struct FleetQueryOptions {
  std::string server;              // https://host:port
  std::vector<std::string> hosts;  // all | label:NAME | host:ID | os:ID, any number
  std::string sql;
  std::string format;            // table, json, jsonl, csv
  std::string token;             // "" = $WARDEN_TOKEN
  std::string ca_file;           // PEM to trust; "" = pinned fingerprint or the system's CAs
  std::string ca_fingerprint;    // sha256:... of the server's CA (as `warden server` printed)
  int wait_seconds = 300;        // give up waiting for hosts after this (the campaign goes on)
  int offline_wait_seconds = 0;  // > 0: offline hosts run it if they return within this
};

// Exit status: 0 every host answered, 3 some host failed or did not answer
// (its rows are still printed), 2 the live query could not be run.
int RunFleetQuery(const FleetQueryOptions& options);

}  // namespace warden
