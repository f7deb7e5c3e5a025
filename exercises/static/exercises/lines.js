'use strict';
/* The lines of an exercise's steps, cues or precautions (LinesWidget, exercises/widgets.py):
   add, remove and move lines. Enter in a line starts a new line after it instead of submitting
   the page, and pasted text with line breaks becomes one line per break (a text input would
   run them together). */
{
    const within = (event, selector) => event.target instanceof Element && event.target.closest(selector);

    function newLine(list, after, text) {
        const line = list.querySelector('template.line-list-new').content.firstElementChild.cloneNode(true);
        const input = line.querySelector('input');
        input.value = text;
        list.querySelector('.line-list-lines').insertBefore(line, after ? after.nextElementSibling : null);
        return input;
    }

    function remove(line) {
        const input = line.querySelector('input');
        const neighbour = line.nextElementSibling || line.previousElementSibling;
        if (!neighbour) {  // the last line stays, empty, to type in
            input.value = '';
            input.focus();
            return;
        }
        const next = neighbour.querySelector('input');
        if (input.id) {  // the field's label points at its first line
            next.id = input.id;
        }
        line.remove();
        next.focus();
    }

    document.addEventListener('click', function(event) {
        const button = within(event, '.line-list [data-line-action]');
        if (!button) {
            return;
        }
        const line = button.closest('.line-list-line');
        switch (button.dataset.lineAction) {
        case 'add':
            newLine(button.closest('.line-list'), null, '').focus();
            break;
        case 'remove':
            remove(line);
            break;
        case 'up':
            if (line.previousElementSibling) {
                line.parentNode.insertBefore(line, line.previousElementSibling);
            }
            button.focus();
            break;
        case 'down':
            if (line.nextElementSibling) {
                line.parentNode.insertBefore(line.nextElementSibling, line);
            }
            button.focus();
            break;
        }
    });

    document.addEventListener('keydown', function(event) {
        const input = within(event, '.line-list-line input');
        if (input && event.key === 'Enter' && !event.isComposing) {
            event.preventDefault();
            newLine(input.closest('.line-list'), input.closest('.line-list-line'), '').focus();
        }
    });

    document.addEventListener('paste', function(event) {
        const input = within(event, '.line-list-line input');
        const text = event.clipboardData ? event.clipboardData.getData('text') : '';
        if (!input || !/[\r\n]/.test(text)) {
            return;
        }
        event.preventDefault();
        const [first, ...rest] = text.split(/\r\n|\r|\n/);
        input.setRangeText(first, input.selectionStart, input.selectionEnd, 'end');
        let last = input;
        for (const part of rest) {
            last = newLine(input.closest('.line-list'), last.closest('.line-list-line'), part);
        }
        last.focus();
    });
}
