#Requires -Modules Dreamina
<#
.SYNOPSIS
    Makes a video from every row of a CSV file.
.DESCRIPTION
    The CSV needs Prompt and ImageUri columns; Seed, Frames and Duration are optional. Rows the service would
    reject (a bad image, a long prompt) are reported as errors and cost nothing; the other rows run, and each
    video is saved as soon as its job finishes.
.EXAMPLE
    ./examples/Invoke-DreaminaCsvBatch.ps1 -CsvPath ./shots.csv -Directory ./clips
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $CsvPath,
    [string] $Directory = './clips'
)

Import-Csv $CsvPath | Start-DreaminaVideo | Wait-DreaminaJob | Save-DreaminaVideo -Directory $Directory
