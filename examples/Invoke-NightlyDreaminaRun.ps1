#Requires -Modules Dreamina
<#
.SYNOPSIS
    An unattended nightly run: every CSV row becomes a video, a log says what happened and what it cost, the
    exit code says whether all went well.
.DESCRIPTION
    Meant for a scheduler (cron, Task Scheduler) with the token in $env:RUNCOMFY_TOKEN. Run it again after a crash
    and it pays nothing twice: rows the journal shows were already submitted are not submitted again (their jobs
    are waited for and saved), and videos already saved are not downloaded again. Jobs left unfinished by an
    earlier run of another CSV are picked up from the journal too, so no paid job is forgotten. Jobs still running at the
    time limit stay in the journal for the next run. With Connect-Dreamina -DailySpendLimit (or -MaxCost here),
    a CSV that grew overnight cannot spend more than you allowed. Exits with 1 when any row or job failed.
.EXAMPLE
    pwsh -NoProfile -File ./examples/Invoke-NightlyDreaminaRun.ps1 -CsvPath ./tonight.csv -Directory /srv/clips -LogPath /var/log/dreamina.log -MaxCost 20
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $CsvPath,
    [Parameter(Mandatory)] [string] $Directory,
    [Parameter(Mandatory)] [string] $LogPath,
    [int] $TimeoutMinutes = 120,
    # The most tonight's new jobs may cost, in USD, by estimate.
    [decimal] $MaxCost = 1000
)

function Write-Log([string] $Message) {
    Add-Content -Path $LogPath -Value ('{0:u} {1}' -f (Get-Date), $Message)
}

# An error that stopped a whole command (a rejected token, say) reaches -ErrorVariable as the exception that
# carries its record; the record holds the id and the message.
function Get-ErrorRecord($Problem) {
    if ($Problem -is [System.Management.Automation.ErrorRecord]) { $Problem } else { $Problem.ErrorRecord }
}

$started = Get-Date
$problems = @()
Write-Log "Nightly run: $CsvPath -> $Directory"
# Jobs an earlier run left: still queued or running, or finished but never saved.
$leftovers = @(Get-DreaminaJob -Status Queued, Running, Completed | Where-Object { -not $_.SavedTo })
if ($leftovers.Count -gt 0) { Write-Log "Picking up $($leftovers.Count) unfinished or unsaved job(s) from the journal." }

$submitted = @(Import-Csv $CsvPath | Start-DreaminaVideo -MaxCost $MaxCost -ErrorAction SilentlyContinue -ErrorVariable +problems)
Write-Log "Submitted $($submitted.Count) job(s)."

# A re-run's rows bring back their earlier jobs, which may be among the leftovers too: each is followed once.
$saved = @(@($leftovers) + $submitted | Sort-Object RequestId -Unique |
    Wait-DreaminaJob -Timeout ($TimeoutMinutes * 60) -ErrorAction SilentlyContinue -ErrorVariable +problems |
    Save-DreaminaVideo -Directory $Directory -ErrorAction SilentlyContinue -ErrorVariable +problems)

foreach ($file in $saved) { Write-Log "Saved $($file.FullName)" }
foreach ($record in $problems | ForEach-Object { Get-ErrorRecord $_ }) { Write-Log "ERROR $($record.FullyQualifiedErrorId): $($record.Exception.Message)" }
$unfinished = @(Get-DreaminaJob -Status Queued, Running)
if ($unfinished.Count -gt 0) { Write-Log "Still running at the time limit, left for the next run: $($unfinished.RequestId -join ', ')" }
$unconfirmed = @(Get-DreaminaJob -Status Unconfirmed)
if ($unconfirmed.Count -gt 0) { Write-Log "Unconfirmed, check them in RunComfy's dashboard: $($unconfirmed.Prompt -join '; ')" }
$spent = (Get-DreaminaJob -Since $started | Measure-Object Cost -Sum).Sum
Write-Log ('Estimated spend tonight: {0:0.00} USD.' -f $spent)
Write-Log "Done: $($saved.Count) saved, $($problems.Count) problem(s)."
if ($problems.Count -gt 0) { exit 1 }
