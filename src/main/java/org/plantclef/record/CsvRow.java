package org.plantclef.record;

/**
 * One data row of a delimited text file, split into fields but not yet interpreted.
 *
 * @param file the file it came from
 * @param line its 1-based line number (the header is line 1)
 * @param fields the field values, unquoted
 */
public record CsvRow(String file, long line, String[] fields) {}
