// Public API of analytics/: the fill journal's line codecs and writer, the signal snapshot, the HTML report.
export { FillSignalSnapshot, JournalFillLine, JournalMarkoutLine, JournalLine, FillJournal } from "./journal.js";
export { renderHtmlReport, summaryTable as replaySummaryTable } from "./report.js";
export type { ReportData } from "./report.js";
