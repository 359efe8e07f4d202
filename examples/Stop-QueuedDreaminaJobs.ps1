#Requires -Modules Dreamina
<#
.SYNOPSIS
    Cancels every job that is still queued, so it is not billed.
.DESCRIPTION
    Asks RunComfy for each unfinished job's current status and cancels the queued ones. Jobs that are already
    running cannot be cancelled; they run to completion and are billed. Supports -WhatIf.
.EXAMPLE
    ./examples/Stop-QueuedDreaminaJobs.ps1 -WhatIf
#>
[CmdletBinding(SupportsShouldProcess)]
param()

Get-DreaminaJob -Status Queued, Running |
    Get-DreaminaStatus |
    Where-Object Status -EQ 'Queued' |
    Stop-DreaminaJob -PassThru
