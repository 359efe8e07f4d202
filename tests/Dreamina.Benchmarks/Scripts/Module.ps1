# The module's way: one pipeline for the whole batch. Prints READY when idle (module imported, connected), then
# one JSON line of what it measured itself. Images are distinct per job (URLs), or the files of -Folder.
param(
    [Parameter(Mandatory)] [string] $Manifest,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $AccountUri,
    [Parameter(Mandatory)] [string] $Storage,
    [Parameter(Mandatory)] [int] $Count,
    [Parameter(Mandatory)] [string] $Work,
    [string] $Folder,
    [string] $ImageStore,
    # An Azure Storage table with a SAS: the journal goes there instead of a file.
    [string] $JournalUri,
    # Wait this many seconds, then stop (for a queue too deep to finish): no saving.
    [int] $WaitSeconds = -1
)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
Connect-Dreamina -BaseUri $BaseUri -AccountUri $AccountUri -Token (ConvertTo-SecureString 'emulator-token' -AsPlainText -Force) -JournalPath "$Work/jobs.jsonl" | Out-Null
if ($ImageStore) { Connect-Dreamina -ImageStore $ImageStore | Out-Null }
if ($JournalUri) { Connect-Dreamina -JournalUri $JournalUri | Out-Null }
$inputs = if ($Folder) { Get-ChildItem $Folder -File } else { 0..($Count - 1) | ForEach-Object { [pscustomobject]@{ Prompt = "shot $_"; ImageUri = "$Storage/samples/distinct-$_.jpg" } } }
[GC]::Collect()
"READY $PID"
$clock = [System.Diagnostics.Stopwatch]::StartNew()
if ($WaitSeconds -ge 0) {
    $jobs = $inputs | Start-DreaminaVideo
    $submitted = $clock.Elapsed.TotalSeconds
    "SUBMITTED"
    $done = @($jobs | Wait-DreaminaJob -Timeout $WaitSeconds).Count
}
else {
    $done = @($inputs | Start-DreaminaVideo -Prompt 'slow dolly-in' | Wait-DreaminaJob | Save-DreaminaVideo -Directory "$Work/clips").Count
    $submitted = $null
}
# The table journal's request count, read off the session (internal, so by reflection): the benchmark's table operations per job.
$session = (Get-Module Dreamina).ImplementingAssembly.GetType('Dreamina.Configuration.DreaminaSession')
$journal = $session.GetProperty('Journal').GetValue($session.GetProperty('Current').GetValue($null))
$tableOperations = if ($JournalUri) { $journal.GetType().GetProperty('Operations').GetValue($journal) } else { $null }
[pscustomobject]@{ wall = $clock.Elapsed.TotalSeconds; done = $done; submitted = $submitted; errors = $Error.Count; tableOperations = $tableOperations
    journalLines = if ($JournalUri) { $null } else { @(Get-Content "$Work/jobs.jsonl").Count } } | ConvertTo-Json -Compress
