#include "core/table_layout.h"

#include <algorithm>
#include <numeric>

namespace warden {

size_t DisplayWidth(std::string_view text) {
  size_t w = 0;
  for (unsigned char c : text)
    if ((c & 0xc0) != 0x80) ++w;
  return w;
}

std::string CutToWidth(std::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return std::string();
  size_t keep = width - 1, end = 0;
  for (; end < text.size(); ++end) {
    if ((static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) continue;
    if (keep == 0) break;
    --keep;
  }
  std::string out(text.substr(0, end));
  out += "\u2026";
  return out;
}

size_t TableLineWidth(const TableLayout& layout) {
  size_t w = 1;
  for (size_t i = 0; i < layout.width.size(); ++i)
    if (layout.shown[i]) w += layout.width[i] + 3;
  return w;
}

TableLayout LayoutTable(const std::vector<std::string>& columns, const std::vector<size_t>& natural,
                        const TableFit& fit) {
  const size_t n = natural.size();
  TableLayout l;
  l.shown.assign(n, true);
  l.width = natural;
  if (fit.max_width == 0 || n == 0 || TableLineWidth(l) <= fit.max_width) return l;

  std::vector<int> priority(n, 0);
  std::vector<size_t> min(n);
  for (size_t i = 0; i < n; ++i) min[i] = std::min(natural[i], kDefaultMinColumnWidth);
  for (const TableColumnHint& h : fit.hints) {
    for (size_t i = 0; i < n && i < columns.size(); ++i) {
      if (columns[i] != h.column) continue;
      priority[i] = h.priority;
      if (h.min_width > 0) min[i] = std::min(natural[i], h.min_width);
    }
  }
  for (size_t& m : min) m = std::max<size_t>(m, 1);

  // Hiding order: lowest priority first, among equals the rightmost.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (priority[a] != priority[b]) return priority[a] < priority[b];
    return a > b;
  });
  auto at_minimum = [&] {
    size_t w = 1;
    for (size_t i = 0; i < n; ++i)
      if (l.shown[i]) w += min[i] + 3;
    return w;
  };
  size_t shown = n;
  size_t next = 0;  // in `order`
  // Optional columns (negative priority) go before any cell is cut; one
  // hidden before a wider one comes back when it fits whole.
  std::vector<size_t> optional_hidden;
  for (; next < n && shown > 1 && priority[order[next]] < 0 && TableLineWidth(l) > fit.max_width;
       ++next) {
    l.shown[order[next]] = false;
    optional_hidden.push_back(order[next]);
    --shown;
  }
  for (auto it = optional_hidden.rbegin(); it != optional_hidden.rend(); ++it) {
    l.shown[*it] = true;
    if (TableLineWidth(l) > fit.max_width)
      l.shown[*it] = false;
    else
      ++shown;
  }
  // Then columns are cut down to their minimum, and hidden when even that
  // does not fit.
  std::vector<size_t> hidden_at_minimum;
  for (; next < n && shown > 1 && at_minimum() > fit.max_width; ++next) {
    l.shown[order[next]] = false;
    hidden_at_minimum.push_back(order[next]);
    --shown;
  }
  // A narrow column hidden before a wide one may fit again: the most
  // important first.
  for (auto it = hidden_at_minimum.rbegin(); it != hidden_at_minimum.rend(); ++it) {
    l.shown[*it] = true;
    if (at_minimum() > fit.max_width)
      l.shown[*it] = false;
    else
      ++shown;
  }

  const size_t frame = 1 + 3 * shown;
  const size_t room = fit.max_width > frame ? fit.max_width - frame : 0;
  size_t used = 0;
  for (size_t i = 0; i < n; ++i) {
    l.width[i] = l.shown[i] ? min[i] : 0;
    used += l.width[i];
  }
  if (used > room) {
    // Only one column is left and even its minimum is too wide.
    for (size_t i = 0; i < n; ++i)
      if (l.shown[i]) l.width[i] = std::max<size_t>(room, 1);
    used = room;
  }
  // Share the rest: one column at a time to the narrowest that still wants
  // more (ties: higher priority, then leftmost).
  for (size_t extra = room - std::min(room, used); extra > 0; --extra) {
    size_t best = n;
    for (size_t i = 0; i < n; ++i) {
      if (!l.shown[i] || l.width[i] >= natural[i]) continue;
      if (best == n || l.width[i] < l.width[best] ||
          (l.width[i] == l.width[best] && priority[i] > priority[best]))
        best = i;
    }
    if (best == n) break;
    ++l.width[best];
  }
  for (size_t i = 0; i < n; ++i) {
    if (!l.shown[i])
      ++l.hidden;
    else if (l.width[i] < natural[i])
      l.cut = true;
  }
  return l;
}

std::string TableFitNote(const std::vector<std::string>& columns, const TableLayout& layout,
                         size_t max_width) {
  if (layout.hidden == 0 && !layout.cut) return "";
  if (layout.hidden == 0) return CutToWidth("long cells cut; --wide shows them whole", max_width);
  std::string names;
  for (size_t i = 0; i < layout.shown.size() && i < columns.size(); ++i) {
    if (layout.shown[i]) continue;
    if (!names.empty()) names += ", ";
    names += columns[i];
  }
  const std::string head = std::to_string(layout.hidden) + " of " +
                           std::to_string(layout.shown.size()) + " columns hidden (";
  const std::string tail = "); --wide shows all";
  const size_t frame = DisplayWidth(head) + DisplayWidth(tail);
  if (max_width >= frame + 4) return head + CutToWidth(names, max_width - frame) + tail;
  // Too narrow to name them: what matters is how to see them.
  return CutToWidth(std::to_string(layout.hidden) + " hidden; --wide shows all", max_width);
}

}  // namespace warden
