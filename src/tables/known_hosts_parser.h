// Parsing the text of an OpenSSH known_hosts file (sshd(8) "SSH_KNOWN_HOSTS
// FILE FORMAT") into the entries the known_hosts table reports. As osquery
// does, an entry is the whole line, trimmed (markers, host patterns or their
// hashes, key type and key together); blank lines and '#' comments are not
// entries. Pure: it takes the file's bytes and reads nothing, so it can be
// unit-tested and fuzzed. Never fails. The views point into text.
#pragma once

#include <string_view>
#include <vector>

namespace warden {

std::vector<std::string_view> ParseKnownHosts(std::string_view text);

}  // namespace warden
