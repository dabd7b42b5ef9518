/**
 * How {@link dev.fanout.Items} produces its parameter maps: the readers of CSV, JSON Lines and JSON-array items
 * files (each reads as items are consumed and names the file, line and field of bad input) and the computed
 * ranges of dates or integers. Nothing here is API; {@code Items} is the one entry point.
 */
package dev.fanout.internal.items;
